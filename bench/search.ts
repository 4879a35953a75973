/**
 * Search benchmark (`npm run bench:search`): 100,000 sessions with 1,000,000 messages of Indonesian and
 * English text (plus each session's topic, contact fields and labels) written straight into the read tables
 * with SQL — generate_series, not the event log, since a million events through the API would take an hour
 * on this machine and the query side is what is measured. The search indexes are built after the load, and
 * their build time and size reported. Then a fixed mix of queries (stemmed words, phrases, typos, partial
 * NIBs and emails, names, filters) runs through searchSessions, the function behind GET /api/agent/search;
 * `search_p95_ms` is its 95th percentile. The keys are merged into bench/results/latest.json.
 *
 * BENCH_DATABASE_URL picks the server (default: the embedded Postgres). SEARCH_SESSIONS and
 * SEARCH_MESSAGES_PER_SESSION scale the data down for a quick run.
 */
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { migrationSource } from "../migrations/index";
import { createKnex, migrateLatest } from "../src/db/database";
import { searchSessions } from "../src/workspace/search";
import { openBenchServer } from "./postgres";

const SESSIONS = Number(process.env.SEARCH_SESSIONS ?? 100_000);
const PER_SESSION = Number(process.env.SEARCH_MESSAGES_PER_SESSION ?? 10);
const QUERY_ROUNDS = Number(process.env.SEARCH_ROUNDS ?? 5);

const ID_WORDS = `saya mau mengurus izin usaha perizinan pendaftaran nib oss rba berusaha perusahaan cv pt
  dokumen persyaratan sertifikat standar lokasi bangunan lingkungan amdal ukl upl pbg slf kbli kode klasifikasi
  modal investasi mikro kecil menengah besar pemohon akun login lupa kata sandi email verifikasi gagal
  unggah berkas ditolak disetujui menunggu proses berapa lama biaya gratis bayar pajak npwp akta notaris
  pengesahan kemenkumham alamat kantor cabang gudang pabrik toko online makanan minuman pangan bpom halal
  ekspor impor angka pengenal importir laporan kegiatan penanaman lkpm triwulan sanksi pencabutan
  perubahan data pemegang saham direktur komisaris bidang sektor kementerian dinas daerah provinsi kabupaten
  kota terima kasih tolong bantu bagaimana cara kenapa tidak bisa sudah belum kapan dimana mohon informasi`
  .split(/\s+/)
  .filter(Boolean);
const EN_WORDS = `i want to apply for a business license permit registration number company limited liability
  documents requirements certificate standard location building environment approval investment capital
  small medium enterprise applicant account login forgot password email verification failed upload file
  rejected approved pending process how long cost free pay tax notary deed office branch warehouse factory
  shop online food beverage export import report quarterly activity sanction revoke change shareholder
  director commissioner sector ministry agency province regency city thank you please help why cannot
  already yet when where information renew renewal expired update status dashboard error page system`
  .split(/\s+/)
  .filter(Boolean);
const FIRST = "Budi Siti Wahyu Rina Agus Dewi Joko Sri Andi Putri Hendra Lestari Rudi Maya Bambang Ayu".split(
  " ",
);
const LAST = "Santoso Rahma Wijaya Kusuma Hidayat Saputra Lubis Siregar Nasution Pratama Halim Gunawan".split(
  " ",
);

const sqlArray = (words: readonly string[]) =>
  `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(",")}]`;

/** A message: 6–20 words of one language, now and then a NIB (13 digits) or an email. */
const messageBody = (id: string) => `
  (SELECT string_agg(w, ' ') FROM (
     SELECT (CASE WHEN ${id} % 3 = 0 THEN ${sqlArray(EN_WORDS)} ELSE ${sqlArray(ID_WORDS)} END)
              [1 + floor(random() * CASE WHEN ${id} % 3 = 0 THEN ${EN_WORDS.length} ELSE ${ID_WORDS.length} END)::int] AS w
     FROM generate_series(1, 6 + (${id} % 15))) words)
  || CASE WHEN ${id} % 40 = 3 THEN ' NIB ' || (9120000000000 + (${id} * 7919) % 999999999)::text
          WHEN ${id} % 37 = 0 THEN ' email ' || 'pemohon' || (${id} % 5000) || '@contoh.co.id' ELSE '' END`;

async function main() {
  const server = await openBenchServer();
  const url = await server.createDatabase("search");
  const knex = createKnex(url, 4);
  const timings: Record<string, number> = {};
  const time = async (name: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    timings[name] = Math.round(performance.now() - t0);
    console.log(`${name}: ${(timings[name] / 1000).toFixed(1)} s`);
  };
  try {
    await migrateLatest(knex, migrationSource);
    // Loaded without the search indexes and the word-count triggers; both are built afterwards and timed.
    await knex.raw(`
      DROP INDEX idx_search_documents_tsv, idx_search_documents_trgm, idx_search_documents_session,
        idx_search_documents_recent, idx_search_terms_trgm;
      ALTER TABLE search_documents DISABLE TRIGGER USER;`);
    await time("load_sessions_ms", () =>
      knex.raw(`
        INSERT INTO chat_users (id, browser_uuid, is_anonymous, ip_address, created_at, updated_at)
          SELECT gen_random_uuid(), gen_random_uuid(), true, '203.0.113.1', now(), now() FROM generate_series(1, ${SESSIONS});
        INSERT INTO chat_sessions (id, chat_user_id, topic, priority, status, channel, created_at, updated_at,
            last_seq, last_message_at, labels)
          SELECT gen_random_uuid(), u.id,
            (ARRAY['Perizinan','NIB','OSS RBA','Pendaftaran','Business license','KBLI','Akun','LKPM'])[1 + (n % 8)],
            'normal', (ARRAY['waiting','active','closed','closed'])[1 + (n % 4)], 'web',
            now() - (n || ' minutes')::interval, now(), ${PER_SESSION}, now() - (n || ' minutes')::interval,
            CASE WHEN n % 10 = 0 THEN ARRAY['nib'] WHEN n % 10 = 1 THEN ARRAY['oss-rba','urgent'] ELSE '{}' END
          FROM (SELECT id, row_number() OVER () AS n FROM chat_users) u;
        INSERT INTO chat_session_contacts (id, session_id, contact_name, contact_email, contact_phone, company_name)
          SELECT gen_random_uuid(), s.id,
            (${sqlArray(FIRST)})[1 + n % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (n / 16) % ${LAST.length}],
            'user' || n || '@contoh.co.id', '08' || (1100000000 + n)::text, 'CV Usaha ' || (n % 997)
          FROM (SELECT id, row_number() OVER () AS n FROM chat_sessions) s;`),
    );
    await time("load_documents_ms", () =>
      knex.raw(`
        INSERT INTO search_documents (id, session_id, field, seq, body, created_at)
          SELECT gen_random_uuid()::text, s.id, 'message', m, ${messageBody("(s.n * 100 + m)")},
            s.created_at + (m || ' seconds')::interval
          FROM (SELECT id, created_at, row_number() OVER () AS n FROM chat_sessions) s,
            generate_series(1, ${PER_SESSION}) m;
        INSERT INTO search_documents (id, session_id, field, body, created_at)
          SELECT s.id || ':topic', s.id, 'topic', s.topic, s.created_at FROM chat_sessions s;
        INSERT INTO search_documents (id, session_id, field, body, created_at)
          SELECT c.session_id || ':' || f, c.session_id, f,
            CASE f WHEN 'contact_name' THEN c.contact_name WHEN 'contact_email' THEN c.contact_email
              WHEN 'contact_phone' THEN c.contact_phone ELSE c.company_name END, now() - interval '1 day'
          FROM chat_session_contacts c,
            unnest(ARRAY['contact_name','contact_email','contact_phone','company_name']) f;
        INSERT INTO search_documents (id, session_id, field, body, created_at)
          SELECT s.id || ':labels', s.id, 'labels', array_to_string(s.labels, ' '), s.created_at
          FROM chat_sessions s WHERE cardinality(s.labels) > 0;`),
    );
    await time("index_build_ms", () =>
      knex.raw(`
        SET maintenance_work_mem = '256MB';
        CREATE INDEX idx_search_documents_tsv ON search_documents USING gin (tsv);
        CREATE INDEX idx_search_documents_trgm ON search_documents USING gin (body gin_trgm_ops);
        CREATE INDEX idx_search_documents_session ON search_documents (session_id);
        CREATE INDEX idx_search_documents_recent ON search_documents (created_at DESC);
        INSERT INTO search_terms (term, docs)
          SELECT w, count(*) FROM search_documents, unnest(search_words(body)) w GROUP BY w;
        CREATE INDEX idx_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops);
        ALTER TABLE search_documents ENABLE TRIGGER USER;
        ANALYZE search_documents; ANALYZE search_terms; ANALYZE chat_sessions; ANALYZE chat_session_contacts;`),
    );
    const size = await knex.raw(`
      SELECT (SELECT count(*) FROM search_documents WHERE field = 'message') AS messages,
        (SELECT count(*) FROM search_documents) AS documents,
        (SELECT count(*) FROM search_terms) AS terms,
        pg_total_relation_size('search_documents') AS total_bytes,
        pg_relation_size('search_documents') AS heap_bytes,
        pg_relation_size('idx_search_documents_tsv') AS tsv_index_bytes,
        pg_relation_size('idx_search_documents_trgm') AS trgm_index_bytes,
        pg_total_relation_size('search_terms') AS terms_bytes`);
    const sizes = Object.fromEntries(Object.entries(size.rows[0]).map(([k, v]) => [k, Number(v)]));
    console.log(sizes);

    const nib = (
      await knex.raw(`SELECT substring(body from 'NIB ([0-9]{13})') AS n FROM search_documents
      WHERE body LIKE '%NIB 9%' LIMIT 20`)
    ).rows.map((r: { n: string }) => r.n);
    const queries: { q: string; status?: string; label?: string }[] = [
      { q: "mengurus izin" },
      { q: "cara urus perizinan" },
      { q: "pendaftaran nib" },
      { q: "perizinann" },
      { q: "pendaftarn akun" },
      { q: '"izin usaha"' },
      { q: '"business license"' },
      { q: "renew license" },
      { q: "forgot password" },
      { q: "sertifikat standar ditolak" },
      { q: "Wahyu Santoso" },
      { q: "Rina Kusuma" },
      { q: "pemohon42@contoh" },
      { q: "CV Usaha 512" },
      { q: "lkpm triwulan", status: "closed" },
      { q: "ekspor impor", label: "nib" },
      { q: "amdal lingkungan bangunan" },
      { q: "verifikasi email gagal" },
      ...nib.slice(0, 10).map((n: string) => ({ q: n.slice(3, 10) })),
      ...nib.slice(10, 14).map((n: string) => ({ q: n })),
    ];
    const samples: number[] = [];
    const perQuery: Record<string, number[]> = {};
    for (const query of queries) await searchSessions(knex, { ...query, limit: 20 }); // warm
    for (let round = 0; round < QUERY_ROUNDS; round++) {
      for (const query of queries) {
        const t0 = performance.now();
        const r = await searchSessions(knex, { ...query, limit: 20 });
        const ms = performance.now() - t0;
        samples.push(ms);
        perQuery[query.q] = [...(perQuery[query.q] ?? []), ms];
        if (round === 0 && r.results.length === 0) console.log(`no results: ${query.q}`);
      }
    }
    samples.sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round((samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? 0) * 10) / 10;
    const slowest = Object.entries(perQuery)
      .map(([q, ms]) => [q, Math.round(Math.max(...ms))] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5);
    console.log({ p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), slowest });
    const summary = {
      search_p95_ms: pct(0.95),
      search_p50_ms: pct(0.5),
      search_index_build_s: Math.round((timings.index_build_ms ?? 0) / 100) / 10,
      search_index_mib: Math.round(
        ((sizes.tsv_index_bytes ?? 0) + (sizes.trgm_index_bytes ?? 0) + (sizes.terms_bytes ?? 0)) / 1048576,
      ),
    };
    const detail = {
      server: `${server.label} ${await server.version()}`,
      sessions: SESSIONS,
      messages: sizes.messages,
      documents: sizes.documents,
      terms: sizes.terms,
      queries: queries.length,
      rounds: QUERY_ROUNDS,
      timings_ms: timings,
      bytes: sizes,
      p99_ms: pct(0.99),
      slowest_max_ms: Object.fromEntries(slowest),
      cpus: os.cpus().length,
      generated_at: new Date().toISOString(),
    };
    console.log(summary);
    if (SESSIONS >= 100_000 && PER_SESSION >= 10) {
      const file = path.resolve("bench/results/latest.json");
      const latest = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
      const { generated_at: _g, machine: _m, settings: _s, ...rest } = latest;
      const merged = {
        ...rest,
        ...summary,
        generated_at: latest.generated_at,
        machine: latest.machine,
        settings: latest.settings,
        search: detail,
      };
      // The search keys sit with the other headline keys; the details under "search".
      await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
      console.log("bench/results/latest.json updated");
    }
  } finally {
    await knex.destroy();
    if (process.env.SEARCH_KEEP_DB) console.log(`kept ${url}`);
    else await server.close();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
