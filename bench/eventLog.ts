import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { currentVersion, type DomainEvent } from "../src/events/chatEvents";

interface Generated {
  readonly stream: string;
  readonly revision: number;
  readonly event: DomainEvent;
  readonly owner: string;
}

/**
 * A realistic log: anonymous visitors register, start one to three sessions, set and sometimes update the
 * contact; one in five logs in (identity claimed, user linked).
 */
function* visitors(): Generator<Generated> {
  for (let v = 0; ; v++) {
    const user = randomUUID();
    const browser = randomUUID();
    const userStream = `chatUser-${user}`;
    yield {
      stream: userStream,
      revision: 0,
      owner: user,
      event: {
        type: "ChatUserRegistered",
        data: {
          chat_user_id: user,
          browser_uuid: browser,
          oss_user_id: null,
          email: null,
          is_anonymous: true,
          ip_address: "10.0.0.1",
          user_agent: "Mozilla/5.0",
        },
      },
    };
    for (let s = 0; s < 1 + (v % 3); s++) {
      const session = randomUUID();
      const stream = `chatSession-${session}`;
      yield {
        stream,
        revision: 0,
        owner: user,
        event: {
          type: "ChatSessionStarted",
          data: {
            session_id: session,
            chat_user_id: user,
            topic: `Izin usaha ${v}`,
            priority: "normal",
            channel: "web",
          },
        },
      };
      const contact = {
        contact_name: `Kontak ${v}`,
        contact_email: "john@company.com",
        contact_phone: "+6281234567890",
        position: "Manager",
        company_name: "PT. Example",
      };
      yield {
        stream,
        revision: 1,
        owner: user,
        event: {
          type: "ChatSessionContactSet",
          data: { session_id: session, contact_id: randomUUID(), ...contact },
        },
      };
      if (v % 4 === 0) {
        yield {
          stream,
          revision: 2,
          owner: user,
          event: {
            type: "ChatSessionContactUpdated",
            data: { session_id: session, ...contact, position: "Director" },
          },
        };
      }
    }
    if (v % 5 === 0) {
      const oss = `oss-${v}`;
      yield {
        stream: `ossIdentity-${oss}`,
        revision: 0,
        owner: user,
        event: {
          type: "OssIdentityClaimed",
          data: { oss_user_id: oss, chat_user_id: user, email: `u${v}@example.com` },
        },
      };
      yield {
        stream: userStream,
        revision: 1,
        owner: user,
        event: {
          type: "ChatUserLinkedToOssUser",
          data: { chat_user_id: user, oss_user_id: oss, email: `u${v}@example.com` },
        },
      };
    }
  }
}

/** Writes `count` generated events straight into the events table, in batches of one transaction each. */
export async function writeEventLog(knex: Knex, count: number, batch = 5000): Promise<void> {
  const source = visitors();
  const occurredAt = new Date().toISOString();
  for (let written = 0; written < count; ) {
    const rows: Generated[] = [];
    while (rows.length < Math.min(batch, count - written)) rows.push(source.next().value as Generated);
    await knex.raw(
      `INSERT INTO events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, transaction_id)
       SELECT s, r, gen_random_uuid(), t, v, d, m, pg_current_xact_id()
       FROM unnest(?::text[], ?::bigint[], ?::text[], ?::int[], ?::jsonb[], ?::jsonb[]) WITH ORDINALITY AS u(s, r, t, v, d, m, o)
       ORDER BY o`,
      [
        rows.map((g) => g.stream),
        rows.map((g) => g.revision),
        rows.map((g) => g.event.type),
        rows.map((g) => currentVersion[g.event.type]),
        rows.map((g) => JSON.stringify(g.event.data)),
        rows.map((g) =>
          JSON.stringify({
            occurred_at: occurredAt,
            correlation_id: randomUUID(),
            causation_id: null,
            actor: { kind: "anonymous", id: g.owner },
            ip: "10.0.0.1",
            user_agent: "Mozilla/5.0",
            owner_id: g.owner,
          }),
        ),
      ],
    );
    written += rows.length;
  }
}
