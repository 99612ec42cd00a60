import { useEffect, useState } from 'react';
import { useConnection } from '../connection';

/** Seconds until `at`, re-rendered every second while there is one. */
function useSecondsUntil(at: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
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
    <span className={`connection connection-${status}`} data-testid="connection" data-state={status}>
      {status === 'connected' ? `Connected · ${transport} · v${info?.version}` : 'Connecting…'}
    </span>
  );
}
