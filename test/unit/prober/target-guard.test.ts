import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  type AddressKind,
  classifyAddress,
  resolveTarget,
  TargetRefusedError,
} from '../../../prober/index.js';

type Outcome = 'allowed' | 'refused';

/** What the guard does with http://<host>/, with and without allow_private_targets. */
async function outcomes(host: string): Promise<[Outcome, Outcome]> {
  const url = new URL(`http://${host}/mcp`);
  const one = (allowPrivate: boolean) =>
    resolveTarget(url, allowPrivate).then(
      () => 'allowed' as const,
      (err: unknown) => {
        expect(err).toBeInstanceOf(TargetRefusedError);
        return 'refused' as const;
      },
    );
  return [await one(false), await one(true)];
}

// Every form the attacker's test got through, and their neighbours: refused even with
// allow_private_targets: true.
const ALWAYS_REFUSED = [
  '[::ffff:169.254.169.254]', // IPv4-mapped (the URL parser writes it as ::ffff:a9fe:a9fe)
  '[::ffff:0:169.254.169.254]', // IPv4-translated (RFC 6145)
  '[64:ff9b::a9fe:a9fe]', // NAT64 well-known prefix
  '[64:ff9b:1::a9fe:a9fe]', // NAT64 local-use prefix, /96 reading
  '[64:ff9b:1:0:a9:fea9:fe00:0]', // NAT64 local-use prefix, /64 reading
  '[::a9fe:a9fe]', // IPv4-compatible
  '[2002:a9fe:a9fe::]', // 6to4
  '[2002:a9fe:a9fe:1:2:3:4:5]',
  '[2001:0:4136:e378:8000:63bf:5601:5601]', // Teredo, client 169.254.169.254 inverted
  '[64:ff9b::a83f:8110]', // NAT64 of Azure's 168.63.129.16
  '[2002:6464:64c8::1]', // 6to4 of Alibaba's 100.100.100.200
  '[fec0::1]', // site-local
  '198.18.0.1', // benchmarking
  '198.19.255.255',
  '192.0.2.1', // documentation
  '198.51.100.7',
  '203.0.113.9',
  '[2001:db8::1]',
  '192.0.0.192', // Oracle Cloud Classic metadata, inside 192.0.0.0/24
  '240.0.0.1', // reserved for future use
  '224.0.0.1', // multicast
  '239.255.255.250',
  '[ff02::1]',
  '255.255.255.255', // broadcast
  '0.1.2.3', // 0.0.0.0/8
  '0.0.0.0',
  '[::]',
  '169.254.169.254',
  '169.254.170.2', // ECS
  '169.254.170.23', // EKS Pod Identity
  '[fe80::1]',
  '168.63.129.16', // Azure WireServer
  '100.100.100.200', // Alibaba Cloud
  '[fd00:ec2::254]', // AWS IMDS over IPv6
  '[fd00:ec2::23]',
  '[fd20:ce::254]', // Google Cloud over IPv6
  '[fd00:c1::a9fe:a9fe]', // Oracle Cloud over IPv6
  '[fd00:42::42]', // Scaleway over IPv6
  '[100::1]', // discard-only
  '[4000::1]', // outside 2000::/3
];

// Refused by default, allowed with allow_private_targets: true.
const PRIVATE = [
  '127.0.0.1',
  '0x7f.1', // the URL parser reads this as 127.0.0.1
  '[::1]',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1', // CGNAT
  '[fd12:3456::1]', // unique local
  '[::ffff:127.0.0.1]',
  '[64:ff9b::a00:1]', // NAT64 of 10.0.0.1
  '[2002:c0a8:101::]', // 6to4 of 192.168.1.1
  '[64:ff9b:1::808:808]', // local-use NAT64 is not globally reachable
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '[2606:4700:4700::1111]',
  '[2001:4860:4860::8888]',
  '[::ffff:8.8.8.8]',
  '[64:ff9b::808:808]',
  '[2002:808:808::1]',
];

describe('SSRF guard: resolveTarget on address literals', () => {
  it.each(ALWAYS_REFUSED)('refuses %s whatever allow_private_targets says', async (host) => {
    expect(await outcomes(host)).toEqual(['refused', 'refused']);
  });

  it.each(PRIVATE)('refuses %s unless allow_private_targets', async (host) => {
    expect(await outcomes(host)).toEqual(['refused', 'allowed']);
  });

  it.each(PUBLIC)('allows the public address %s', async (host) => {
    expect(await outcomes(host)).toEqual(['allowed', 'allowed']);
  });

  it('says which range or service a refusal is about', async () => {
    const reason = (host: string) =>
      resolveTarget(new URL(`http://${host}/`), true).then(
        () => '',
        (err: Error) => err.message,
      );
    expect(await reason('[64:ff9b::a9fe:a9fe]')).toMatch(
      /cloud metadata address .*169\.254\.169\.254 inside a NAT64/,
    );
    expect(await reason('168.63.129.16')).toContain('Azure WireServer');
    expect(await reason('198.18.0.1')).toContain('benchmarking');
    expect(await reason('[fec0::1]')).toContain('site-local');
    const privateReason = await resolveTarget(new URL('http://10.0.0.1/'), false).catch(
      (err: Error) => err.message,
    );
    expect(privateReason).toContain('allow_private_targets: true');
  });
});

/** Each form that carries an IPv4 address inside an IPv6 one, built from its bytes. */
const v6 = (bytes: number[]) => ipaddr.fromByteArray(bytes).toString();
const octets = (v4: string) => ipaddr.IPv4.parse(v4).octets;
const zeros = (n: number) => Array<number>(n).fill(0);
const bytes = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n });

const EMBEDDINGS: Record<string, (v4: string, noise: number[]) => string> = {
  mapped: (v4) => v6([...zeros(10), 0xff, 0xff, ...octets(v4)]),
  translated: (v4) => v6([...zeros(8), 0xff, 0xff, 0, 0, ...octets(v4)]),
  nat64: (v4) => v6([0, 0x64, 0xff, 0x9b, ...zeros(8), ...octets(v4)]),
  sixToFour: (v4, noise) => v6([0x20, 0x02, ...octets(v4), ...noise.slice(0, 10)]),
  teredo: (v4, noise) =>
    v6([0x20, 0x01, 0, 0, ...noise.slice(0, 8), ...octets(v4).map((o) => ~o & 0xff)]),
};

const STRICTNESS: Record<AddressKind, number> = { public: 0, private: 1, forbidden: 2 };

describe('SSRF guard: IPv4 inside IPv6 (properties)', () => {
  for (const [name, embed] of Object.entries(EMBEDDINGS)) {
    it(`classifies any IPv4 address in ${name} form as the IPv4 address itself`, () => {
      fc.assert(
        fc.property(fc.ipV4(), bytes(10), (v4, noise) => {
          expect(classifyAddress(embed(v4, noise)).kind).toBe(classifyAddress(v4).kind);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('classifies IPv4-compatible forms as the IPv4 address (:: and ::1 are their own)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        fc.pre(v4 !== '0.0.0.0' && v4 !== '0.0.0.1');
        expect(classifyAddress(v6([...zeros(12), ...octets(v4)])).kind).toBe(
          classifyAddress(v4).kind,
        );
      }),
      { numRuns: 500 },
    );
    expect(classifyAddress('::1').kind).toBe('private');
    expect(classifyAddress('::').kind).toBe('forbidden');
  });

  it('classifies NAT64 local-use forms as the IPv4 address, and never as public', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const address = v6([0, 0x64, 0xff, 0x9b, 0, 1, ...zeros(6), ...octets(v4)]);
        const expected = Math.max(STRICTNESS[classifyAddress(v4).kind], STRICTNESS.private);
        expect(STRICTNESS[classifyAddress(address).kind]).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('calls an IPv6 address public only inside 2000::/3 and outside every special range', () => {
    fc.assert(
      fc.property(bytes(16), (raw) => {
        const address = ipaddr.fromByteArray(raw) as ipaddr.IPv6;
        if (classifyAddress(address.toString()).kind !== 'public') return;
        expect(address.match(ipaddr.IPv6.parseCIDR('2000::/3'))).toBe(true);
        expect(['unicast', '6to4', 'teredo']).toContain(address.range());
      }),
      { numRuns: 2000 },
    );
  });
});
