import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ClusterProjectInput } from '../../../shared/model/cluster';
import { checkProjectObject } from '../../../shared/model/parse';
import {
  aptUri,
  dnfUrl,
  haproxyWord,
  hostsFileField,
  keepalivedWord,
  nginxWord,
  tomlString,
} from '../../../shared/plan/escape';
import { PlanError } from '../../../shared/plan/errors';
import { generatePlan } from '../../../shared/plan/generate';
import type { Plan, PlanFile } from '../../../shared/plan/types';
import { validateCluster } from '../../../shared/validation';
import { HOSTILE, hostileArb } from '../support/hostile';
import { STRING_FIELDS, fullProject, type StringField } from '../support/string-fields';
import { allFiles, allSteps, fillPlaceholders, run } from './helpers';

/**
 * The other half of item 1's property: a hostile value that validation accepts must reach every
 * generated artefact only as a literal its own parser reads back unchanged. Each file is read by
 * the real thing — yaml, smol-toml (TOML 1.0), keepalived -t, haproxy -c, nginx -t, apt-get,
 * dnf's own Python library, bash -n — and compared with the same file generated from the clean
 * base project: the structure must be the same, only the value differs.
 */
const dir = mkdtempSync(join(tmpdir(), 'keelson-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const temp = (name: string, content: string) => {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
};

/** Variants of the base so every generator runs: each pattern's configs, rhel and debian. */
const VARIANTS: { name: string; change: (p: ClusterProjectInput) => void }[] = [
  { name: 'keepalived-haproxy', change: () => {} },
  {
    name: 'node-local',
    change: (p) => {
      p.spec.apiEndpoint = { pattern: 'node-local', dnsName: 'api.lab.example' };
    },
  },
  { name: 'keepalived-nginx', change: (p) => (p.spec.apiEndpoint.pattern = 'keepalived-nginx') },
  {
    name: 'kube-vip',
    change: (p) => {
      p.spec.apiEndpoint.pattern = 'kube-vip';
      p.spec.apiEndpoint.port = 6443;
    },
  },
];

function plansOf(input: ClusterProjectInput): Plan[] | undefined {
  const checked = checkProjectObject(input);
  if (!checked.ok) return undefined;
  if (validateCluster(checked.project).some((f) => f.severity === 'error')) return undefined;
  return (['debian', 'rhel'] as const).map((os) =>
    generatePlan(checked.project, { keelsonVersion: 'test', osFamily: os }),
  );
}

/** Paths of every key in parsed YAML/TOML/JSON data, values left out: the document's shape. */
function shape(data: unknown, at = ''): string[] {
  if (Array.isArray(data)) return data.flatMap((v, i) => shape(v, `${at}[${i}]`));
  if (data && typeof data === 'object')
    return Object.entries(data).flatMap(([k, v]) => shape(v, `${at}.${k}`));
  if (typeof data === 'string' && /^\s*[{[]/.test(data)) {
    try {
      return shape(JSON.parse(data) as unknown, `${at}<json>`);
    } catch {
      /* a string that only looks like JSON */
    }
  }
  return [at];
}

function yamlShape(content: string): string[] {
  const docs = parseAllDocuments(content);
  for (const d of docs) expect(d.errors, content.slice(0, 200)).toEqual([]);
  return docs.flatMap((d, i) => shape(d.toJS(), `doc${i}`));
}

function keepalivedProblems(content: string): string {
  const r = run('keepalived', ['-t', '-l', '-D', '-f', temp('keepalived.conf', fillPlaceholders(content))]);
  const bad = r.output
    .split('\n')
    .filter((l) =>
      /Unknown keyword|Unexpected|missing '\}'|extra '\{'|Unmatched quote|Configuration error/.test(l),
    );
  return bad.join('\n');
}

/** The interface names keepalived read (it warns that each does not exist here). */
function keepalivedInterfaces(content: string): string[] {
  const r = run('keepalived', ['-t', '-l', '-D', '-f', temp('keepalived.conf', fillPlaceholders(content))]);
  return [...r.output.matchAll(/WARNING - interface (.*) for vrrp_instance \S+ doesn't exist/g)].map(
    (m) => m[1]!,
  );
}

function aptUris(line: string): string[] {
  const root = mkdtempSync(join(dir, 'apt-'));
  mkdirSync(join(root, 'lists/partial'), { recursive: true });
  mkdirSync(join(root, 'parts'));
  writeFileSync(join(root, 'sources.list'), line);
  const r = run('apt-get', [
    '-o',
    `Dir::Etc::sourcelist=${join(root, 'sources.list')}`,
    '-o',
    `Dir::Etc::sourceparts=${join(root, 'parts')}`,
    '-o',
    `Dir::State::Lists=${join(root, 'lists')}`,
    '--print-uris',
    'update',
  ]);
  return [...r.output.matchAll(/^'([^']+)'/gm)].map((m) => m[1]!);
}

const DNF_READER = `
import json, sys, dnf
out = []
for d in sys.argv[1:]:
    b = dnf.Base()
    b.conf.reposdir = [d]
    b.conf.substitutions['releasever'] = '9'
    b.conf.substitutions['basearch'] = 'x86_64'
    b.read_all_repos()
    out.append({r.id: {'name': r.name, 'baseurl': list(r.baseurl), 'gpgkey': list(r.gpgkey)} for r in b.repos.values()})
print(json.dumps(out))
`;
type DnfRepos = Record<string, { name: string; baseurl: string[]; gpgkey: string[] }>;
/** What dnf's own reader makes of each .repo text (one Python process for all of them). */
function dnfRepos(contents: string[]): DnfRepos[] {
  const dirs = contents.map((content) => {
    const repos = mkdtempSync(join(dir, 'dnf-'));
    writeFileSync(join(repos, 'k.repo'), content);
    return repos;
  });
  const r = spawnSync('/usr/bin/python3', ['-c', DNF_READER, ...dirs], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DnfRepos[];
}

/** apt prints URIs with %XX decoded. */
const aptDecoded = (uri: string) =>
  uri.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Checks one file of the hostile plan against the same file of the base plan. */
function compareFile(file: PlanFile, base: PlanFile | undefined, label: string, value: string): void {
  expect(base, `${label}: a file the base plan does not have`).toBeDefined();
  if (!base || base.content === file.content) return; // the value did not reach this file
  switch (file.language) {
    case 'yaml':
      {
        // Nothing the base document lacks: a value can remove an optional key (an empty taint
        // value), never add one.
        const theirs = new Set(yamlShape(base.content));
        for (const key of yamlShape(file.content)) expect(theirs.has(key), `${label}: ${key}`).toBe(true);
      }
      break;
    case 'toml':
      expect(Object.keys(parseToml(file.content)), label).toEqual(Object.keys(parseToml(base.content)));
      break;
    case 'keepalived':
      expect(keepalivedProblems(file.content), label).toBe('');
      // The only interface keepalived may read is the project's (warned about when this machine
      // has no interface of that name).
      for (const name of keepalivedInterfaces(file.content)) expect([value, 'eth0'], label).toContain(name);
      break;
    case 'haproxy': {
      const r = run('haproxy', ['-c', '-f', temp('haproxy.cfg', file.content)]);
      expect(r.code, `${label}\n${r.output}`).toBe(0);
      break;
    }
    case 'nginx': {
      const r = run('nginx', [
        '-t',
        '-c',
        temp('nginx.conf', file.content.replace('/usr/lib64/', '/usr/lib/')),
      ]);
      expect(r.code, `${label}\n${r.output}`).toBe(0);
      break;
    }
    default:
      if (file.path.endsWith('.list'))
        expect(aptUris(file.content).length, label).toBe(aptUris(base.content).length);
      else if (file.path.endsWith('.repo')) {
        const [mine, theirs] = dnfRepos([file.content, base.content]);
        expect(Object.keys(mine!), label).toEqual(Object.keys(theirs!));
        for (const [id, repo] of Object.entries(mine!))
          expect(repo.baseurl.length, label).toBe(theirs![id]!.baseurl.length);
      }
      // Everything else is the same text as in the base plan, or differs only by the value.
      else expect(file.content.split('\n').length, label).toBe(base.content.split('\n').length);
  }
}

const basePlans = VARIANTS.map((v) => {
  const input = fullProject();
  v.change(input);
  const plans = plansOf(input);
  if (!plans) throw new Error(`base variant ${v.name} does not plan`);
  return plans;
});

/** An accepted hostile value: every artefact of every variant holds it only as a literal. */
function checkAccepted(field: StringField, value: string, variants = VARIANTS.length): number {
  let checked = 0;
  const scripts: string[] = [];
  VARIANTS.slice(0, variants).forEach((variant, v) => {
    const input = fullProject();
    variant.change(input);
    field.set(input, value);
    const plans = plansOf(input);
    if (!plans) return; // this variant's own rules refuse it (e.g. a dnsName only node-local checks)
    plans.forEach((plan, os) => {
      const baseSteps = new Map(allSteps(basePlans[v]![os]!).map((s) => [s.id, s]));
      const baseFiles = new Map(
        allSteps(basePlans[v]![os]!).flatMap((s) => s.files.map((f) => [`${s.id} ${f.path}`, f])),
      );
      // A renamed host renames its steps: compare them with the base host's (cp1).
      const baseId = (id: string) =>
        field.pattern === 'spec.hosts[].name'
          ? id
              .split('/')
              .map((part) => (part === value ? 'cp1' : part))
              .join('/')
          : id;
      // Offline, containerd gets a hosts.toml per pulled registry: kubeadm's is named after the
      // image repository's host, so compare it with the base plan's file for kubeadm's registry.
      const basePath = (id: string, path: string) => {
        if (field.pattern !== 'spec.packages.imageRepository' || baseFiles.has(`${id} ${path}`)) return path;
        const kubeadms = [...baseFiles.keys()].find(
          (k) =>
            k.startsWith(`${id} /etc/containerd/certs.d/`) &&
            !/\/(ghcr|quay|docker)\.io\/|\/_default\//.test(k),
        );
        return kubeadms ? kubeadms.slice(id.length + 1) : path;
      };
      for (const step of allSteps(plan)) {
        for (const f of step.files)
          compareFile(
            f,
            baseFiles.get(`${baseId(step.id)} ${basePath(baseId(step.id), f.path)}`),
            `${variant.name} ${step.id} ${f.path} (${field.pattern})`,
            value,
          );
        const baseStep = baseSteps.get(baseId(step.id));
        for (const script of [step.script, step.check ?? '']) {
          if (baseStep && (script === baseStep.script || script === (baseStep.check ?? ''))) continue;
          scripts.push(temp('s.sh', script));
        }
      }
      checked += allFiles(plan).length;
    });
  });
  // One bash for all changed scripts: each must still parse (bash -n).
  if (scripts.length) {
    const r = run('bash', [
      '-c',
      'for f; do bash -n "$f" || echo "bash -n failed: $f"; done',
      '_',
      ...scripts,
    ]);
    expect(r.output).toBe('');
  }
  return checked;
}

describe('hostile values in generated artefacts', () => {
  it('every listed hostile value validation accepts stays a literal in every artefact', () => {
    let accepted = 0;
    for (const field of STRING_FIELDS)
      for (const value of HOSTILE) {
        const input = fullProject();
        field.set(input, value);
        if (!plansOf(input)) continue;
        accepted++;
        // The two variants that reach every file kind a value can land in (keepalived, haproxy,
        // /etc/hosts, apt, dnf, TOML, YAML); the random run below covers all four.
        checkAccepted(field, value, 2);
      }
    console.log(`hostile list: ${accepted} accepted field/value pairs checked in every artefact`);
    expect(accepted).toBeGreaterThan(0);
  }, 600_000);

  it('random hostile values: rejected, or literal in every artefact (fast-check)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...STRING_FIELDS), hostileArb, (field, value) => {
        const input = fullProject();
        field.set(input, value);
        if (!plansOf(input)) return;
        accepted++;
        checkAccepted(field, value);
      }),
      { numRuns: 150 },
    );
    console.log(`fast-check: ${accepted} of 150 random values accepted and checked`);
  }, 600_000);

  it('an accepted Linux-legal but odd interface name is quoted, and keepalived reads it back exactly', () => {
    for (const name of ['we{ird}#1', 'a;b', "it's", 'x!y', 'br@0']) {
      const input = fullProject();
      input.spec.apiEndpoint.vrrp = { routerId: 51, interface: name, unicast: true, authPassRef: 'lab-vrrp' };
      const plan = plansOf(input)![0]!;
      const conf = allFiles(plan).find((f) => f.language === 'keepalived')!;
      expect(keepalivedProblems(conf.content), name).toBe('');
      expect(keepalivedInterfaces(conf.content), name).toEqual([name]);
    }
  });
});

describe('escapers, read back by each format’s own parser', () => {
  const values = [...HOSTILE, 'plain', 'a"b', "a'b", 'a\\b', '${X}', 'x y', '[trusted=yes]'];

  it('TOML strings round-trip through a TOML parser for every value', () => {
    for (const v of values) expect(parseToml(`k = ${tomlString(v)}`).k).toBe(v);
  }, 120_000);

  it('keepalived words are read back by keepalived -t, or refused', () => {
    for (const v of values) {
      let word: string;
      try {
        word = keepalivedWord(v, 'f');
      } catch (e) {
        expect(e).toBeInstanceOf(PlanError);
        continue;
      }
      const conf = `vrrp_instance VI {\n    state MASTER\n    interface ${word}\n    virtual_router_id 51\n    priority 101\n    virtual_ipaddress {\n        10.77.0.100/24\n    }\n}\n`;
      if (v.length > 200) continue; // keepalived truncates long words (and such names are refused earlier)
      expect(keepalivedProblems(conf), JSON.stringify(v)).toBe('');
      expect(keepalivedInterfaces(conf), JSON.stringify(v)).toEqual([v]);
    }
  }, 120_000);

  it('apt URIs are one token apt reads back, or refused', () => {
    for (const v of values) {
      let uri: string;
      try {
        uri = aptUri(`http://mirror.example/${v}/`, 'f');
      } catch (e) {
        expect(e).toBeInstanceOf(PlanError);
        continue;
      }
      const uris = aptUris(`deb [signed-by=/k.gpg] ${uri} /\n`);
      expect(uris.length, JSON.stringify(v)).toBe(2);
      expect(uris[0], JSON.stringify(v)).toBe(`${aptDecoded(uri)}InRelease`);
    }
  }, 120_000);

  it('dnf values are read back by dnf as one repository, or refused', () => {
    const ok: string[] = [];
    for (const v of values) {
      try {
        ok.push(dnfUrl(`http://mirror.example/${v}`, 'f'));
      } catch (e) {
        expect(e).toBeInstanceOf(PlanError);
      }
    }
    const read = dnfRepos(ok.map((url) => `[kubernetes]\nname=K\nbaseurl=${url}\nenabled=1\n`));
    ok.forEach((url, i) => {
      expect(Object.keys(read[i]!), url).toEqual(['kubernetes']);
      expect(read[i]!.kubernetes!.baseurl, url).toEqual([url]);
    });
  }, 120_000);

  it('haproxy, nginx and /etc/hosts words are one token of that format, or refused', () => {
    const token: [typeof haproxyWord, RegExp][] = [
      [haproxyWord, /^([^\s'"\\$#]+|'[^'\n]+')$/],
      [nginxWord, /^[^\s;{}'"$#\\]+$/],
      [hostsFileField, /^[^\s#]+$/],
    ];
    for (const v of values)
      for (const [escape, shape] of token) {
        try {
          expect(escape(v, 'f'), JSON.stringify(v)).toMatch(shape);
        } catch (e) {
          expect(e).toBeInstanceOf(PlanError);
        }
      }
  }, 120_000);
});

describe('user data never becomes part of a sed or awk program', () => {
  it('every sed and awk program is a single-quoted constant: values reach awk through ENVIRON only', () => {
    const input = fullProject();
    input.spec.networking = { ...input.spec.networking, cni: 'flannel' };
    const lines = (plansOf(input) ?? [])
      .flatMap((plan) => allSteps(plan).flatMap((s) => `${s.script}\n${s.check ?? ''}`.split('\n')))
      .filter(
        (line) =>
          /(^|[\s(|;]|\$\()(sed|awk) /.test(line) && !/^\s*#/.test(line) && !line.startsWith('commands='),
      );
    expect(lines.length).toBeGreaterThan(10);
    for (const line of new Set(lines)) {
      // After the command name, options only, then the program in single quotes (no expansion,
      // no -v, which interprets backslashes): a double quote there means shell data in the program.
      const program = /\b(?:sed|awk)\b((?:\s+-[^\s'"]+)*)\s+(['"])/.exec(line);
      expect(program?.[2], line).toBe("'");
    }
  });
});
