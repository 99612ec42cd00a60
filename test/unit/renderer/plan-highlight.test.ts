import { describe, expect, it } from 'vitest';
import { highlightToHtml } from '../../../renderer/src/plan/highlight';
import { groupPhaseSteps, stepKind } from '../../../renderer/src/plan/planTree';
import type { PlanStep } from '../../../shared/plan/types';

/** What a browser shows for the HTML: tags dropped, entities decoded. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('plan file highlighting', () => {
  const hostile = 'echo "<img src=x onerror=alert(1)>" && cat <<EOF\n</code><script>alert(2)</script>\nEOF\n';

  it.each(['bash', 'yaml', 'haproxy', 'keepalived', 'ini', 'nginx', 'text', 'unknown-language'])(
    'never lets file content become markup (%s), and shows it unchanged',
    (language) => {
      const html = highlightToHtml(hostile, language);
      expect(html).not.toMatch(/<(img|script|\/code)/i);
      expect(text(html)).toBe(hostile);
    },
  );

  it('marks secret placeholders, and only those', () => {
    const html = highlightToHtml(
      'auth_pass {{secret:vrrp-auth-pass}}\nrouter_id {{value:x}}\n',
      'keepalived',
    );
    expect(html.match(/class="secret-placeholder"/g)).toHaveLength(1);
    expect(html).toMatch(/<span class="secret-placeholder"[^>]*>\{\{secret:vrrp-auth-pass\}\}<\/span>/);
  });

  it('colours haproxy sections and directives', () => {
    const html = highlightToHtml('backend api\n    option httpchk\n', 'haproxy');
    expect(html).toContain('<span class="hljs-section">backend</span>');
    expect(html).toContain('<span class="hljs-keyword">    option</span>');
  });
});

describe('plan tree grouping', () => {
  const step = (id: string, host: string): PlanStep => ({
    id,
    phase: 'load-balancer',
    host,
    description: '',
    script: '',
    files: [],
    timeoutSeconds: 1,
    dependsOn: [],
    secrets: [],
  });

  it('groups the same kind of step across hosts, in plan order', () => {
    const steps = [
      step('load-balancer/haproxy/cp1', 'cp1'),
      step('load-balancer/haproxy/cp2', 'cp2'),
      step('load-balancer/keepalived/cp1', 'cp1'),
    ];
    const groups = groupPhaseSteps({ id: 'load-balancer', title: 'LB', parallel: true, steps });
    expect(groups.map((g) => [g.label, g.steps.map((s) => s.host)])).toEqual([
      ['haproxy', ['cp1', 'cp2']],
      ['keepalived', ['cp1']],
    ]);
    // A serial phase is listed in the order it runs: neighbours of one kind share a node, no more.
    const serial = [
      // upload-certs runs on the first control plane, for the one that joins next.
      step('control-plane-join/upload-certs/cp2', 'cp1'),
      step('control-plane-join/join/cp2', 'cp2'),
      step('control-plane-join/upload-certs/cp3', 'cp1'),
      step('control-plane-join/join/cp3', 'cp3'),
    ].map((s) => ({ ...s, phase: 'control-plane-join' as const }));
    const runs = groupPhaseSteps({ id: 'control-plane-join', title: 'CPs', parallel: false, steps: serial });
    expect(runs.map((g) => [g.label, g.steps.map((s) => s.host)])).toEqual([
      ['upload-certs/cp2', ['cp1']],
      ['join', ['cp2']],
      ['upload-certs/cp3', ['cp1']],
      ['join', ['cp3']],
    ]);
    expect(new Set(runs.map((g) => g.key)).size).toBe(4);
    // A step whose id is only phase/host is named after its phase.
    expect(stepKind({ ...step('os-prep/cp1', 'cp1'), phase: 'os-prep' })).toBe('os-prep');
  });
});
