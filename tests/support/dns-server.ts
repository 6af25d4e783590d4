/**
 * A small authoritative DNS server on loopback UDP for domain-verification tests (vitest and the Playwright
 * stack): TXT answers from an in-memory table, and per-name behaviours a real zone can show (no such name,
 * SERVFAIL, no answer at all → the resolver's timeout). Nothing here queries outside the machine.
 *
 * Why not a DNS server package: the test needs to misbehave on purpose (drop a query, SERVFAIL one name) and to
 * change records while running; a few lines over `dgram` and the well-kept `dns-packet` encoder do exactly that,
 * where a server library would need the same code around it.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export type NameBehaviour = 'answer' | 'servfail' | 'drop';

export interface LoopbackDnsServer {
  /** `127.0.0.1:<port>`, for SSO_DNS_SERVERS. */
  address: string;
  port: number;
  /** Replaces the TXT values published at `name` (each value one record). */
  setTxt(name: string, values: string[]): void;
  removeTxt(name: string): void;
  behave(name: string, behaviour: NameBehaviour): void;
  /** Names asked for, in order (lower-case). */
  queries: string[];
  close(): Promise<void>;
}

/** Bounded: a test never needs more, and a runaway client cannot grow memory. */
const MAX_LOGGED_QUERIES = 1000;
/** TXT character-strings are at most 255 bytes each. */
const chunk = (value: string) => value.match(/[\s\S]{1,255}/g) ?? [''];

export interface LoopbackDnsOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Records not set with setTxt: asked per query (the e2e stack reads them from files its tests write). */
  lookupTxt?: (name: string) => string[] | undefined;
}

export async function startLoopbackDnsServer(opts: LoopbackDnsOptions = {}): Promise<LoopbackDnsServer> {
  const records = new Map<string, string[]>();
  const behaviours = new Map<string, NameBehaviour>();
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');

  socket.on('message', (message, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    if (queries.length < MAX_LOGGED_QUERIES) queries.push(name);
    const behaviour = behaviours.get(name) ?? 'answer';
    if (behaviour === 'drop') return;
    const values = records.get(name) ?? opts.lookupTxt?.(name);
    const answers: dnsPacket.Answer[] =
      behaviour === 'answer' && question.type === 'TXT' && values
        ? values.map((v) => ({ type: 'TXT', name: question.name, class: 'IN', ttl: 1, data: chunk(v) }))
        : [];
    // RCODE in the low 4 bits of the flags: 2 = SERVFAIL, 3 = NXDOMAIN; AA (0x400) since we are the zone.
    const rcode = behaviour === 'servfail' ? 2 : values ? 0 : 3;
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode,
      questions: [question],
      answers,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;

  return {
    address: `127.0.0.1:${port}`,
    port,
    setTxt: (name, values) => void records.set(name.toLowerCase(), values),
    removeTxt: (name) => void records.delete(name.toLowerCase()),
    behave: (name, behaviour) => void behaviours.set(name.toLowerCase(), behaviour),
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
