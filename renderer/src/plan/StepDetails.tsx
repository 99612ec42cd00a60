import { useState } from 'react';
import type { PlanStep } from '../../../shared/plan/types';
import { CodeBlock } from './CodeBlock';

/** Everything one step does on its host: why, which files it writes, what it runs and how it checks. */
export function StepDetails({ step }: { step: PlanStep }) {
  const [filePath, setFilePath] = useState<string | undefined>(step.files[0]?.path);
  const file = step.files.find((f) => f.path === filePath);
  return (
    <div className="step-details" data-testid="plan-step-details" data-step={step.id}>
      <h3 className="step-title">{step.id}</h3>
      <dl className="step-facts">
        <dt>Host</dt>
        <dd data-testid="plan-step-host">{step.host}</dd>
        <dt>Phase</dt>
        <dd>{step.phase}</dd>
        <dt>Timeout</dt>
        <dd>{step.timeoutSeconds} s</dd>
        {step.dependsOn.length > 0 && (
          <>
            <dt>After</dt>
            <dd>{step.dependsOn.join(', ')}</dd>
          </>
        )}
        {step.secrets.length > 0 && (
          <>
            <dt>Secrets</dt>
            <dd title="Filled in at deploy time from the secret store; the plan holds only placeholders">
              {step.secrets.join(', ')}
            </dd>
          </>
        )}
      </dl>
      <p className="step-description" data-testid="plan-step-description">
        {step.description}
      </p>

      {step.files.length > 0 && (
        <section>
          <h2>Files</h2>
          <ul className="file-list" role="listbox" aria-label="Files written by this step">
            {step.files.map((f) => (
              <li key={f.path}>
                <button
                  type="button"
                  role="option"
                  aria-selected={f.path === filePath}
                  onClick={() => setFilePath(f.path)}
                  data-testid={`plan-file-${f.path}`}
                >
                  {f.path} <span className="muted">{f.mode}</span>
                </button>
              </li>
            ))}
          </ul>
          {file && (
            <CodeBlock
              code={file.content}
              language={file.language}
              testId="plan-file-content"
              what={file.path}
            />
          )}
        </section>
      )}

      <section>
        <h2>Script</h2>
        <CodeBlock code={step.script} language="bash" testId="plan-step-script" what="script" />
      </section>
      {step.check && (
        <section>
          <h2>Check (already done when it exits 0)</h2>
          <CodeBlock code={step.check} language="bash" testId="plan-step-check" what="check" />
        </section>
      )}
    </div>
  );
}
