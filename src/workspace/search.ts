import type { Knex } from "knex";
import {
  decodeCursor,
  encodeCursor,
  markedRanges,
  type ParsedQuery,
  parseQuery,
  type Range,
  snippetOf,
  substringRanges,
} from "./searchText";

export interface SearchInput {
  readonly q: string;
  readonly status?: string | undefined;
  readonly label?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface SearchResult {
  session_id: string;
  topic: string;
  status: string;
  team: string | null;
  contact_name: string | null;
  last_message_at: string | null;
  snippet: string;
  matches: { field: string; start: number; end: number }[];
  seq: number | null;
  score: number;
}

/** The cursor given is not one this service wrote: the route answers 400 naming `cursor`. */
export class BadCursorError extends Error {
  constructor() {
    super("cursor is not valid");
    this.name = "BadCursorError";
  }
}

/**
 * Documents ranked per query: the newest matching documents, at most this many, are ranked and grouped by
 * session. Ranking every match of a word in half the log costs seconds; an agent looks for recent conversations.
 */
export const CANDIDATES = 300;

const START = "\u0001";
const STOP = "\u0002";
const HEADLINE = `HighlightAll=true, StartSel="${START}", StopSel="${STOP}"`;

interface Sql {
  readonly sql: string;
  readonly bindings: unknown[];
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The words of a query as the index knows them: each word's own stems (if it has any: a stop word has none),
 * and for a word the index has never seen (a typo), up to three of its words most alike by trigrams.
 */
async function wordVariants(knex: Knex, words: readonly string[]): Promise<string[][]> {
  if (words.length === 0) return [];
  const result = await knex.raw(
    `SELECT w,
        numnode(plainto_tsquery('pg_catalog.indonesian', w) || plainto_tsquery('pg_catalog.english', w)) AS nodes,
        CASE WHEN length(w) < 4 OR EXISTS (SELECT 1 FROM search_terms t WHERE t.term = w) THEN '{}'::text[]
          ELSE ARRAY(SELECT t.term FROM search_terms t WHERE t.term % w
                     ORDER BY similarity(t.term, w) DESC, t.docs DESC, t.term LIMIT 3) END AS similar
       FROM unnest(?::text[]) WITH ORDINALITY AS x(w, n) ORDER BY n`,
    [[...words]],
  );
  return (result.rows as { w: string; nodes: number; similar: string[] }[]).map((r) => [
    ...(r.nodes > 0 ? [r.w] : []),
    ...r.similar,
  ]);
}

/** One tsquery for the whole query: every word (any of its variants) and every phrase, in either language. */
function tsqueryOf(variants: readonly string[][], phrases: readonly string[]): Sql | null {
  const parts: Sql[] = [];
  for (const vs of variants) {
    if (vs.length === 0) continue;
    const either = vs.map(
      () => "plainto_tsquery('pg_catalog.indonesian', ?) || plainto_tsquery('pg_catalog.english', ?)",
    );
    parts.push({ sql: `(${either.join(" || ")})`, bindings: vs.flatMap((v) => [v, v]) });
  }
  for (const p of phrases) {
    parts.push({
      sql: "(phraseto_tsquery('pg_catalog.indonesian', ?) || phraseto_tsquery('pg_catalog.english', ?))",
      bindings: [p, p],
    });
  }
  if (parts.length === 0) return null;
  return { sql: `(${parts.map((p) => p.sql).join(" && ")})`, bindings: parts.flatMap((p) => p.bindings) };
}

/**
 * Full-text search over the search_documents projection: stems (Indonesian and English), typo correction
 * against the index's word list, substrings for identifiers, exact phrases. Results are sessions ranked by
 * their best document, newest first on ties, a page at a time.
 */
export async function searchSessions(
  knex: Knex,
  input: SearchInput,
): Promise<{ results: SearchResult[]; next_cursor: string | null }> {
  const cursor = input.cursor === undefined ? null : decodeCursor(input.cursor);
  if (input.cursor !== undefined && cursor === null) throw new BadCursorError();
  const parsed: ParsedQuery = parseQuery(input.q);
  const tsq = tsqueryOf(await wordVariants(knex, parsed.words), parsed.phrases);
  if (tsq === null && parsed.identifiers.length === 0) return { results: [], next_cursor: null };

  const where: Sql[] = [];
  if (tsq) where.push({ sql: `d.tsv @@ ${tsq.sql}`, bindings: tsq.bindings });
  for (const id of parsed.identifiers) where.push({ sql: "d.body ILIKE ?", bindings: [likePattern(id)] });
  if (input.from) where.push({ sql: "d.created_at >= ?", bindings: [input.from] });
  if (input.to) where.push({ sql: "d.created_at < ?", bindings: [input.to] });
  const sessionFilter: Sql[] = [];
  if (input.status) sessionFilter.push({ sql: "s.status = ?", bindings: [input.status] });
  if (input.label) sessionFilter.push({ sql: "s.labels @> ARRAY[?]::text[]", bindings: [input.label] });
  if (sessionFilter.length > 0) {
    where.push({
      sql: `EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = d.session_id AND ${sessionFilter.map((f) => f.sql).join(" AND ")})`,
      bindings: sessionFilter.flatMap((f) => f.bindings),
    });
  }
  const rank: Sql = tsq
    ? { sql: `ts_rank(d.tsv, ${tsq.sql})`, bindings: tsq.bindings }
    : { sql: "0", bindings: [] };
  const after: Sql = cursor
    ? {
        sql: "AND (b.score, coalesce(s.last_message_at, s.created_at), b.session_id) < (?::numeric, ?::timestamptz, ?::uuid)",
        bindings: [cursor.score, cursor.at, cursor.id],
      }
    : { sql: "", bindings: [] };
  const headline: Sql = tsq
    ? {
        sql: `ts_headline('pg_catalog.indonesian', page.body, ${tsq.sql}, ?) AS marked_id,
              ts_headline('pg_catalog.english', page.body, ${tsq.sql}, ?) AS marked_en`,
        bindings: [...tsq.bindings, HEADLINE, ...tsq.bindings, HEADLINE],
      }
    : { sql: "NULL AS marked_id, NULL AS marked_en", bindings: [] };

  const sql = `
    WITH matched AS (
      -- OFFSET 0 keeps the planner from walking the recency index and testing each row: the text indexes
      -- find the matches, then the newest are kept.
      SELECT d.id, d.created_at FROM search_documents d
      WHERE ${where.map((w) => w.sql).join(" AND ")}
      OFFSET 0
    ),
    cand AS (SELECT id FROM matched ORDER BY created_at DESC LIMIT ${CANDIDATES}),
    hits AS (
      SELECT d.id, d.session_id, d.field, d.seq, d.body, d.created_at,
        round((${rank.sql})::numeric, 6) AS score
      FROM cand JOIN search_documents d USING (id)
    ),
    best AS (
      SELECT DISTINCT ON (session_id) * FROM hits ORDER BY session_id, score DESC, created_at DESC, id
    )
    SELECT page.*, ${headline.sql} FROM (
      SELECT b.session_id, b.field, b.seq, b.body, b.score, s.topic, s.status, s.last_message_at,
        coalesce(s.last_message_at, s.created_at) AS sort_at, c.contact_name
      FROM best b JOIN chat_sessions s ON s.id = b.session_id AND s.deleted_at IS NULL
      LEFT JOIN chat_session_contacts c ON c.session_id = s.id
      WHERE true ${after.sql}
      ORDER BY b.score DESC, sort_at DESC, b.session_id DESC
      LIMIT ?
    ) page
    ORDER BY page.score DESC, page.sort_at DESC, page.session_id DESC`;
  // In the order of the text: the candidates, the rank, the headlines, then the page's cursor and size.
  const bindings = [
    ...where.flatMap((w) => w.bindings),
    ...rank.bindings,
    ...headline.bindings,
    ...after.bindings,
    input.limit + 1,
  ];
  const rows = (await knex.raw(sql, bindings as Knex.RawBinding[])).rows as Row[];
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    results: page.map((r) => toResult(r, parsed)),
    next_cursor:
      rows.length > input.limit && last
        ? encodeCursor({ score: String(last.score), at: last.sort_at.toISOString(), id: last.session_id })
        : null,
  };
}

interface Row {
  session_id: string;
  field: string;
  seq: number | null;
  body: string;
  score: string;
  topic: string;
  status: string;
  last_message_at: Date | null;
  sort_at: Date;
  contact_name: string | null;
  marked_id: string | null;
  marked_en: string | null;
}

function toResult(r: Row, parsed: ParsedQuery): SearchResult {
  const ranges: Range[] = [
    ...(r.marked_id ? markedRanges(r.marked_id, START, STOP) : []),
    ...(r.marked_en ? markedRanges(r.marked_en, START, STOP) : []),
    ...substringRanges(r.body, parsed.identifiers),
  ];
  const { snippet, ranges: inSnippet } = snippetOf(r.body, ranges);
  return {
    session_id: r.session_id,
    topic: r.topic,
    status: r.status,
    team: null,
    contact_name: r.contact_name,
    last_message_at: r.last_message_at?.toISOString() ?? null,
    snippet,
    matches: inSnippet.map((x) => ({ field: r.field, start: x.start, end: x.end })),
    seq: r.seq,
    score: Number(r.score),
  };
}
