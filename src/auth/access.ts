import type { StaffRole } from "./staffKeys";

/**
 * What staff roles may do with the widget's endpoints. Agents help visitors, so they read any session and
 * history and may set a session's contact. Auditors replay the event log through the audit endpoints and ops
 * run the machinery: neither needs visitors' personal data here, so neither gets it (least privilege).
 */
export const staffMay = {
  readSessions: ["agent"],
  setContact: ["agent"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type StaffAction = keyof typeof staffMay;

export function staffRoleAllows(role: StaffRole, action: StaffAction): boolean {
  return (staffMay[action] as readonly StaffRole[]).includes(role);
}
