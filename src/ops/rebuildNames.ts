/** The live projector: the read tables share one checkpoint and one stream_revisions table. */
export const LIVE_PROJECTOR = "read_model";
/** Where a rebuild writes while the live tables keep serving, and the checkpoint it resumes from. */
export const SHADOW_SCHEMA = "rebuild_read_model";
export const REBUILD_CHECKPOINT = "rebuild:read_model";
/** Session advisory lock held for the whole rebuild, so two rebuilds never run at once. */
export const REBUILD_LOCK_KEY = 7_246_001;
export const READ_TABLES = [
  "stream_revisions",
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
  "chat_notes",
  "canned_responses",
  "search_documents",
  "search_terms",
] as const;
