/** What a canned response's variables are filled with for one session; null: not known (left as written). */
export interface RenderValues {
  readonly contact_name: string | null;
  readonly agent_name: string | null;
  readonly topic: string | null;
  readonly session_id: string;
}

/** The variables a body may use: `{{contact_name}}`, `{{agent_name}}`, `{{topic}}`, `{{session_id}}`. */
export const cannedVariables = ["contact_name", "agent_name", "topic", "session_id"] as const;

/**
 * Fills `{{name}}` (spaces inside the braces allowed) with the session's values. An unknown variable, or one
 * without a value, stays as written so the agent sees it before sending; rendering never throws.
 */
export function renderCanned(body: string, values: RenderValues): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const text = body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name as keyof RenderValues] : null;
    if (value === null || value === undefined || value === "") {
      if (!unresolved.includes(name)) unresolved.push(name);
      return whole;
    }
    return value;
  });
  return { text, unresolved };
}
