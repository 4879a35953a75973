import type { Decider } from "../../src/domain/decider";

type ErrorClass = new (...args: any[]) => Error;

/**
 * Given/when/then for an aggregate's Decider: given the events a stream holds, when a command is decided,
 * then these events (or none, or this domain error). It asserts what is decided, never the state in between.
 *
 *   const session = deciderSpec(chatSessionDecider);
 *   session.given([started]).when({ type: "ClaimSession", agent }).thenEvents([assigned]);
 */
export function deciderSpec<S, C, E, F>(
  decider: Decider<S, C, E, F>,
  occurredAt = "2025-03-01T09:00:00.000Z",
) {
  return {
    given(events: readonly E[]) {
      const state = events.reduce<S>(
        (s, e) => decider.evolve(s, { ...e, occurredAt } as unknown as F),
        decider.initialState,
      );
      return {
        /** The state the given events fold to, for the rare rule that reads it (an idempotent retry's answer). */
        state,
        when(command: C) {
          const decide = () => decider.decide(command, state);
          return {
            thenEvents(expected: readonly E[]): void {
              expect(decide()).toEqual(expected);
            },
            thenNothing(): void {
              expect(decide()).toEqual([]);
            },
            thenThrows(error: ErrorClass, message?: string | RegExp): void {
              expect(decide).toThrow(error);
              if (message !== undefined) expect(decide).toThrow(message);
            },
            /** The decided events, for a test that checks one field of them. */
            events: decide,
          };
        },
      };
    },
  };
}
