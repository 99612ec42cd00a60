import { useMemo, useState } from 'react';
import { copyText } from './copy-text';
import { highlightToHtml } from './highlight';

interface CodeBlockProps {
  code: string;
  language: string;
  testId?: string;
  /** What the copy button says it copies, e.g. "script" or the file's path. */
  what: string;
}

type CopyState = 'idle' | 'copied' | 'failed';

/** A read-only, highlighted code listing. The HTML comes from highlight.js, which escapes all input. */
export function CodeBlock({ code, language, testId, what }: CodeBlockProps) {
  const html = useMemo(() => highlightToHtml(code, language), [code, language]);
  const [state, setState] = useState<CopyState>('idle');
  const copy = () =>
    copyText(code).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <div className="code-block-wrap">
      <button
        type="button"
        className="code-copy"
        onClick={() => void copy()}
        onBlur={() => setState('idle')}
        aria-label={`Copy ${what}`}
        data-testid={testId ? `${testId}-copy` : undefined}
      >
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
      <pre className="code-block hljs" data-testid={testId} data-language={language}>
        <code dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
    </div>
  );
}
