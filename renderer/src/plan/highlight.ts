import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import ini from 'highlight.js/lib/languages/ini';
import nginx from 'highlight.js/lib/languages/nginx';
import yaml from 'highlight.js/lib/languages/yaml';
import type { LanguageFn } from 'highlight.js';

/**
 * Syntax highlighting for plan files. Only highlight.js core plus the grammars plan files use
 * are bundled (no auto-detection, no eval, nothing inline — it runs under the strict CSP).
 */

// highlight.js ships no haproxy grammar; this small one marks sections, directives and comments.
const haproxy: LanguageFn = (h) => ({
  name: 'haproxy',
  contains: [
    h.HASH_COMMENT_MODE,
    { className: 'section', begin: /^(global|defaults|frontend|backend|listen|resolvers|peers)\b/m },
    {
      className: 'keyword',
      begin:
        /^\s+(mode|bind|balance|option|http-check|tcp-check|server|default_backend|use_backend|timeout|log|maxconn|retries|default-server|daemon|user|group|stats)\b/m,
    },
    { className: 'number', begin: /\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/ },
    { className: 'number', begin: /\b\d+(ms|s|m|h)?\b/, relevance: 0 },
  ],
});

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('ini', ini);
hljs.registerLanguage('nginx', nginx);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('haproxy', haproxy);

/** Plan languages (see PlanFile.language) mapped to the grammar that reads them best. */
const GRAMMAR: Record<string, string> = {
  bash: 'bash',
  sh: 'bash',
  yaml: 'yaml',
  ini: 'ini',
  toml: 'ini',
  nginx: 'nginx',
  // keepalived.conf is brace-block "keyword value" syntax, the same shape nginx's grammar reads.
  keepalived: 'nginx',
  haproxy: 'haproxy',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Placeholders such as `{{secret:vrrp-auth}}` are marked so they read as "filled at deploy time". */
const markSecrets = (html: string): string =>
  html.replace(
    /\{\{secret:([A-Za-z0-9._-]+)\}\}/g,
    (whole) =>
      `<span class="secret-placeholder" title="Secret: filled in at deploy time, never stored in the plan">${whole}</span>`,
  );

/** Escaped, highlighted HTML for `code` (highlight.js escapes every character of the input). */
export function highlightToHtml(code: string, language: string): string {
  const grammar = GRAMMAR[language];
  const html = grammar
    ? hljs.highlight(code, { language: grammar, ignoreIllegals: true }).value
    : escapeHtml(code);
  return markSecrets(html);
}
