import { useEffect, useState } from 'react';
import { useConnection } from '../connection';

/** Seconds until `at`, re-rendered every second while there is one. */
function useSecondsUntil(at: number | undefined): number | undefined {
  const [, tick] = useState(0);
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [at]);
  // Read the clock on every render: a stale tick would add the time since the last one.
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The header's word on the services: connected (and how), or disconnected and when it tries again. */
export function ConnectionStatus() {
  const { status, info, transport, error, retryAt, retryNow } = useConnection();
  const seconds = useSecondsUntil(status === 'disconnected' ? retryAt : undefined);
  if (status === 'disconnected') {
    return (
      <span
        className="connection connection-disconnected"
        data-testid="connection"
        data-state={status}
        title={error}
      >
        Disconnected{seconds !== undefined && seconds > 0 ? ` · retrying in ${seconds} s` : ' · retrying'}{' '}
        <button type="button" className="link" onClick={retryNow} data-testid="reconnect-now">
          Retry now
        </button>
      </span>
    );
  }
  return (
    <span
      className={`connection connection-${status}`}
      data-testid="connection"
      data-state={status}
      title={status === 'connected' ? `${transport} · v${info?.version}` : undefined}
    >
      {status === 'connected' ? (
        <>
          Connected
          <span className="connection-detail">
            {' '}
            · {transport} · v{info?.version}
          </span>
        </>
      ) : (
        'Connecting…'
      )}
    </span>
  );
}
