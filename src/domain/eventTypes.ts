import type { z } from "zod";
import type { Actor } from "./actor";

/** The events a set of schemas describes: one `{ type, data }` per schema, data in its current shape. */
export type EventsOf<S extends Record<string, z.ZodType>> = {
  [T in keyof S & string]: { readonly type: T; readonly data: Readonly<z.infer<S[T]>> };
}[keyof S & string];

/**
 * An event as the domain and the projections fold it: what happened, when (ISO 8601, UTC) and, where the
 * reader has it, who caused it (the read model records which browser started a session anonymously).
 */
export type FactOf<E> = E & { readonly occurredAt: string; readonly actor?: Actor };
