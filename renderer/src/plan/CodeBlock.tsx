import { useMemo } from 'react';
import { highlightToHtml } from './highlight';

interface CodeBlockProps {
  code: string;
  language: string;
  testId?: string;
}

/** A read-only, highlighted code listing. The HTML comes from highlight.js, which escapes all input. */
export function CodeBlock({ code, language, testId }: CodeBlockProps) {
  const html = useMemo(() => highlightToHtml(code, language), [code, language]);
  return (
    <pre className="code-block hljs" data-testid={testId} data-language={language}>
      <code dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}
