/**
 * Every message the API shows a person, in Indonesian (the portal's language, the default) and English.
 * Keys are the stable, language-free `code`s of responses; `{name}` placeholders take parameters.
 */
export const catalogue = {
  // Successful commands
  chat_started: { id: "Sesi chat berhasil dimulai", en: "Chat session started successfully" },
  contact_saved: { id: "Informasi kontak disimpan", en: "Contact information saved" },
  contact_updated: { id: "Informasi kontak diperbarui", en: "Contact information updated" },
  user_linked: {
    id: "Pengguna chat anonim ditautkan ke pengguna OSS",
    en: "Anonymous chat user linked to the OSS user",
  },
  user_merged: {
    id: "Riwayat chat anonim digabungkan ke pengguna chat milik pengguna OSS",
    en: "Anonymous chat history merged into the OSS user's chat user",
  },

  // Request-level errors
  invalid_request: { id: "Permintaan tidak valid", en: "Invalid request" },
  not_found: { id: "Tidak ditemukan", en: "Not found" },
  canned_response_not_found: { id: "Balasan cepat tidak ditemukan", en: "Canned response not found" },
  canned_shortcut_taken: {
    id: "Shortcut ini sudah dipakai di kumpulan ini",
    en: "This shortcut is already used in this set",
  },
  canned_response_exists: {
    id: "Balasan cepat dengan id ini sudah ada",
    en: "A canned response with this id exists already",
  },
  conflict: {
    id: "Permintaan bertentangan dengan data yang ada",
    en: "The request conflicts with existing data",
  },
  body_too_large: { id: "Isi permintaan terlalu besar", en: "Request body too large" },
  internal_error: { id: "Terjadi kesalahan pada server", en: "Internal server error" },
  not_ready: {
    id: "Belum siap: layanan pendukung tidak dapat dihubungi",
    en: "Not ready: a backing service is unreachable",
  },
  idempotency_key_reused: {
    id: "Idempotency-Key ini sudah dipakai untuk permintaan lain",
    en: "This Idempotency-Key was already used for a different request",
  },
  idempotency_in_progress: {
    id: "Permintaan dengan Idempotency-Key ini masih diproses: coba lagi sebentar lagi",
    en: "A request with this Idempotency-Key is still being processed: try again shortly",
  },
  rate_limited_ip: {
    id: "Terlalu banyak permintaan dari alamat ini: coba lagi dalam {seconds} detik",
    en: "Too many requests from this address: try again in {seconds} s",
  },
  rate_limited_identity: {
    id: "Terlalu banyak permintaan untuk identitas ini: coba lagi dalam {seconds} detik",
    en: "Too many requests for this identity: try again in {seconds} s",
  },

  // Domain outcomes
  data_subject_not_found: { id: "Pengguna chat tidak ditemukan", en: "Chat user not found" },
  data_subject_no_data: {
    id: "Tidak ada data chat yang disimpan untuk pengguna OSS ini",
    en: "No chat data is held for this OSS user",
  },
  data_subject_erased: {
    id: "Data pribadi pengguna chat ini telah dihapus; tidak ada lagi yang dicatat untuknya",
    en: "This chat user's personal data was erased; nothing more is recorded for them",
  },
  chat_session_not_found: { id: "Sesi chat tidak ditemukan", en: "Chat session not found" },
  chat_user_not_found: {
    id: "Tidak ada pengguna chat untuk browser_uuid ini",
    en: "No chat user exists for this browser_uuid",
  },
  chat_session_exists: {
    id: "Sesi chat dengan id ini sudah ada",
    en: "A chat session with this id exists already",
  },
  browser_linked_elsewhere: {
    id: "Browser ini sudah ditautkan ke pengguna OSS lain",
    en: "This browser is already linked to another OSS user",
  },
  oss_chat_user_inactive: {
    id: "Pengguna chat milik pengguna OSS ini tidak aktif",
    en: "The OSS user's chat user is not active",
  },
  chat_session_closed: { id: "Sesi chat sudah ditutup", en: "Chat session is closed" },
  chat_session_held: {
    id: "Sesi chat sedang ditangani agen lain",
    en: "Chat session is held by another agent",
  },
  agent_not_assigned_post: {
    id: "Hanya agen yang ditugaskan pada chat ini yang dapat menulis di dalamnya",
    en: "Only the agent assigned to this chat may post in it",
  },
  agent_not_assigned_close: {
    id: "Hanya agen yang ditugaskan pada chat ini yang dapat menutupnya",
    en: "Only the agent assigned to this chat may close it",
  },
  agent_not_assigned_read: {
    id: "Hanya agen yang ditugaskan pada chat ini yang dapat menandainya sudah dibaca",
    en: "Only the agent assigned to this chat may mark it read",
  },
  agent_not_assigned_transfer: {
    id: "Hanya agen yang ditugaskan pada chat ini yang dapat memindahkannya",
    en: "Only the agent assigned to this chat may transfer it",
  },
  rating_needs_closed: {
    id: "Chat dapat dinilai setelah ditutup",
    en: "A chat can be rated once it is closed",
  },
  agent_at_capacity: {
    id: "Agen sudah menangani chat aktif sebanyak yang diizinkan",
    en: "The agent already holds as many active chats as allowed",
  },
  agent_unavailable: {
    id: "Agen tujuan sedang tidak tersedia",
    en: "The agent to transfer to is away",
  },
  agent_not_found: { id: "Tidak ada agen dengan to_agent_id ini", en: "No agent with this to_agent_id" },
  audit_session_not_found: {
    id: "Sesi chat tersebut tidak ada pada titik itu",
    en: "No such chat session at that point",
  },
  chat_user_not_found_by_id: { id: "Pengguna chat tidak ditemukan", en: "Chat user not found" },
  no_chat_data: {
    id: "Tidak ada data chat yang disimpan untuk pengguna OSS ini",
    en: "No chat data is held for this OSS user",
  },
  webhook_not_found: { id: "Endpoint webhook tidak ditemukan", en: "No such webhook endpoint" },
  dead_letter_not_found: { id: "Dead letter tidak ditemukan", en: "No such dead letter" },
  audit_user_not_found: {
    id: "Pengguna chat tersebut tidak ada pada titik itu",
    en: "No such chat user at that point",
  },

  // Credentials and access
  authorization_not_bearer: {
    id: "Header Authorization harus berbentuk Bearer <token>",
    en: "Authorization must be Bearer <token>",
  },
  identity_not_configured: {
    id: "Akses dengan login tidak tersedia: server ini tidak memiliki kunci identitas OSS",
    en: "Logged-in access is not available: no OSS identity key is configured on this server",
  },
  identity_token_required: {
    id: "Akses dengan login memerlukan Authorization: Bearer <token identitas dari portal OSS>",
    en: "Logged-in access needs Authorization: Bearer <identity token issued by the OSS portal>",
  },
  token_expired: { id: "Token identitas sudah kedaluwarsa", en: "The identity token has expired" },
  token_claim_rejected: {
    id: "Klaim {claim} pada token identitas tidak ada atau tidak diterima",
    en: "The identity token's {claim} claim is missing or not accepted",
  },
  token_signature_invalid: {
    id: "Tanda tangan token identitas tidak valid",
    en: "The identity token's signature is not valid",
  },
  token_algorithm_rejected: {
    id: "Algoritma tanda tangan token identitas tidak diterima",
    en: "The identity token's signing algorithm is not accepted",
  },
  token_unknown_key: {
    id: "Token identitas ditandatangani dengan kunci yang tidak dikenal",
    en: "The identity token is signed with an unknown key",
  },
  token_keys_unavailable: {
    id: "Token identitas tidak dapat diverifikasi: kumpulan kunci portal tidak tersedia",
    en: "The identity token could not be verified: the portal's key set is unavailable",
  },
  token_malformed: { id: "Token identitas tidak berbentuk benar", en: "The identity token is malformed" },
  token_sub_invalid: {
    id: "Klaim sub pada token identitas bukan oss_user_id yang valid",
    en: "The identity token's sub claim is not a valid oss_user_id",
  },
  token_email_invalid: {
    id: "Klaim email pada token identitas tidak ada atau bukan email",
    en: "The identity token's email claim is missing or not an email",
  },
  oss_user_mismatch: {
    id: "oss_user_id tidak sesuai dengan token identitas",
    en: "oss_user_id does not match the identity token",
  },
  email_mismatch: {
    id: "email tidak sesuai dengan token identitas",
    en: "email does not match the identity token",
  },
  staff_role_required: {
    id: "Ini memerlukan kunci staf dengan peran {roles}",
    en: "This needs a staff key with the role {roles}",
  },
  staff_key_invalid: {
    id: "Kunci API staf tidak valid atau sudah dicabut",
    en: "Invalid or revoked staff API key",
  },
  staff_key_required: {
    id: "Diperlukan kunci API staf (Authorization: Bearer lcs_…)",
    en: "A staff API key is required (Authorization: Bearer lcs_…)",
  },
  caller_required: {
    id: "Kirim header X-Browser-UUID (pengunjung anonim) atau Authorization: Bearer <token identitas>",
    en: "Send the X-Browser-UUID header (anonymous visitor) or Authorization: Bearer <identity token>",
  },
  staff_not_visitor: {
    id: "Kunci staf bertindak dalam percakapan melalui /api/agent/…, bukan sebagai pengunjung",
    en: "Staff keys act on conversations through /api/agent/…, not as a visitor",
  },
  browser_header_required: {
    id: "Kirim header X-Browser-UUID untuk membaca riwayat anonim",
    en: "Send the X-Browser-UUID header to read an anonymous history",
  },
  browser_mismatch: {
    id: "browser_uuid tidak sesuai dengan header X-Browser-UUID",
    en: "browser_uuid does not match the X-Browser-UUID header",
  },

  // Real-time (WebSocket) error frames
  ws_auth_first: {
    id: 'Frame pertama harus {"type":"auth", …kredensial}',
    en: 'The first frame must be {"type":"auth", …credential}',
  },
  ws_too_many_subscriptions: {
    id: "Terlalu banyak langganan pada socket ini",
    en: "Too many subscriptions on this socket",
  },
  ws_subscribe_first: {
    id: "Berlangganan ke sesi ini terlebih dahulu",
    en: "Subscribe to the session first",
  },
  ws_too_many_frames: { id: "Terlalu banyak frame: perlambat", en: "Too many frames: slow down" },
  ws_after_seq_ahead: {
    id: "after_seq melewati pesan terakhir sesi (last_seq): berlangganan lagi dengan after_seq paling besar last_seq",
    en: "after_seq is past the session's last message (last_seq): subscribe again with after_seq at most last_seq",
  },
  ws_frame_failed: {
    id: "Frame tidak dapat diproses; coba lagi",
    en: "The frame could not be handled; try again",
  },
  ws_json_text: { id: "Frame harus berupa teks JSON", en: "Frames must be JSON text" },
  ws_invalid_frame: { id: "Frame tidak valid: {field}: {message}", en: "Invalid frame: {field}: {message}" },

  // Field validation (details[].message)
  field_required: { id: "wajib diisi", en: "is required" },
  field_shortcut: {
    id: "harus 2–32 karakter a-z, 0-9, _ atau -",
    en: "must be 2–32 characters of a-z, 0-9, _ or -",
  },
  field_label: { id: "harus 1–32 karakter a-z, 0-9 atau -", en: "must be 1–32 characters of a-z, 0-9 or -" },
  field_invalid: { id: "tidak valid", en: "is not valid" },
  field_type: { id: "harus berupa {expected}", en: "must be a {expected}" },
  field_too_long: { id: "paling banyak {maximum} karakter", en: "must be at most {maximum} characters" },
  field_too_short: { id: "paling sedikit {minimum} karakter", en: "must be at least {minimum} characters" },
  field_too_big: { id: "paling besar {maximum}", en: "must be at most {maximum}" },
  field_too_small: { id: "paling kecil {minimum}", en: "must be at least {minimum}" },
  field_not_integer: { id: "harus berupa bilangan bulat", en: "must be an integer" },
  field_one_of: { id: "harus salah satu dari: {values}", en: "must be one of: {values}" },
  field_unknown: { id: "field tidak dikenal: {keys}", en: "unknown field: {keys}" },
  field_email: { id: "harus berupa alamat email yang valid", en: "must be a valid email address" },
  field_uuid: { id: "harus berupa UUID", en: "must be a UUID" },
  field_datetime: { id: "harus berupa tanggal-waktu ISO 8601", en: "must be an ISO 8601 date-time" },
  field_url: { id: "harus berupa URL", en: "must be a URL" },
  field_format: { id: "formatnya tidak valid", en: "has an invalid format" },
  field_nul: { id: "tidak boleh mengandung karakter NUL", en: "must not contain NUL characters" },
  field_unicode: { id: "harus berupa Unicode yang valid", en: "must be well-formed Unicode" },
  field_control_characters: {
    id: "tidak boleh mengandung karakter kontrol",
    en: "must not contain control characters",
  },
  field_phone: {
    id: "harus berupa nomor telepon yang valid, mis. +6281234567890 atau 081234567890",
    en: "must be a valid phone number, e.g. +6281234567890 or 081234567890",
  },
  field_malformed_json: { id: "JSON tidak berbentuk benar", en: "Malformed JSON" },
  field_oss_user_with_email: {
    id: "oss_user_id dan email harus diisi bersama",
    en: "oss_user_id and email are required together",
  },
  field_start_identity: {
    id: "browser_uuid (anonim) atau oss_user_id dengan email (login) wajib diisi",
    en: "browser_uuid (anonymous) or oss_user_id with email (logged in) is required",
  },
  field_history_identity: {
    id: "isi tepat satu dari oss_user_id atau browser_uuid",
    en: "give exactly one of oss_user_id or browser_uuid",
  },
  field_before_from_position: {
    id: "tidak boleh sebelum from_position",
    en: "must not be before from_position",
  },
  field_before_from_time: { id: "tidak boleh sebelum from_time", en: "must not be before from_time" },
  field_before_from: { id: "tidak boleh sebelum from", en: "must not be before from" },
  field_range_too_long: {
    id: "rentang paling lama 366 hari",
    en: "the range from from to to must be at most 366 days",
  },
  field_time_zone: {
    id: "harus berupa zona waktu IANA, misalnya Asia/Jakarta",
    en: "must be an IANA time zone such as Asia/Jakarta",
  },
  field_at_or_position: {
    id: "isi tepat satu dari at (waktu) atau position",
    en: "give exactly one of at (a time) or position",
  },
  field_url_absolute: {
    id: "harus berupa URL http atau https yang lengkap",
    en: "must be an absolute http or https URL",
  },
  field_url_scheme: { id: "harus berupa URL http atau https", en: "must be an http or https URL" },
  field_url_credentials: { id: "tidak boleh berisi kredensial", en: "must not contain credentials" },
  field_url_unresolved: { id: "host tidak dapat di-resolve", en: "host does not resolve" },
  field_url_not_public: {
    id: "harus berupa alamat publik (target privat, loopback, dan link-local memerlukan WEBHOOK_ALLOW_PRIVATE=true)",
    en: "must be a public address (private, loopback and link-local targets need WEBHOOK_ALLOW_PRIVATE=true)",
  },
  field_unknown_position: {
    id: "tidak ada event pada posisi tersebut",
    en: "no event is recorded at that position",
  },
} as const satisfies Record<string, { readonly id: string; readonly en: string }>;

export type MessageCode = keyof typeof catalogue;
