/** What the projector does with an event, given the last revision of its stream it applied. */
export type Admission =
  /** Apply it; `advances`: the stream's stored revision moves to this event's. */
  | { readonly kind: "apply"; readonly advances: boolean }
  /** Already applied (a redelivery): nothing to do. */
  | { readonly kind: "skip" }
  /** An earlier revision of the stream has not been applied: park it loudly, leave the stream where it is. */
  | { readonly kind: "gap"; readonly expected: bigint };

/**
 * Exactly once and in stream order: revision `stored + 1` applies, anything at or below `stored` was applied
 * already, anything above it would hide the missing events and is refused. A retried dead letter at or below
 * `stored` (it failed while its stream went on) applies without moving the stream back; row versions keep the
 * rows later events wrote.
 */
export function admit(revision: bigint, stored: bigint | undefined, retry: boolean): Admission {
  const last = stored ?? -1n;
  if (revision <= last) return retry ? { kind: "apply", advances: false } : { kind: "skip" };
  if (revision !== last + 1n) return { kind: "gap", expected: last + 1n };
  return { kind: "apply", advances: true };
}
