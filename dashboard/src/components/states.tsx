import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import type { Loadable } from '../api/use-api';

export function Loading({ label = 'Loading…', height }: { label?: string; height?: number }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" style={height ? { minHeight: height } : undefined}>
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry, height }: { error: ApiError; onRetry?: () => void; height?: number }) {
  if (error.isMissingRoute) {
    return (
      <div className="state state-unavailable" style={height ? { minHeight: height } : undefined}>
        <div><strong>Not available yet.</strong> This server does not offer this report ({error.message.replace('No route ', '')}); upgrade Hearth to see it.</div>
      </div>
    );
  }
  return (
    <div className="state state-error" role="alert" style={height ? { minHeight: height } : undefined}>
      <div>
        <strong>Could not load this.</strong> {error.describe()}
        {onRetry && (
          <button type="button" className="link-button" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}

export function Empty({ children, height }: { children: ReactNode; height?: number }) {
  return (
    <div className="state state-empty" style={height ? { minHeight: height } : undefined}>
      <div>{children}</div>
    </div>
  );
}

/**
 * Renders a loadable value: a loading line, the error with its message, the empty state when
 * `isEmpty` says so, else the content.
 */
export function Async<T>(props: {
  result: Loadable<T>;
  onRetry?: () => void;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  height?: number;
  children: (data: T) => ReactNode;
}) {
  const { result, height } = props;
  if (result.state === 'loading') return <Loading {...(height !== undefined && { height })} />;
  if (result.state === 'error') return <ErrorState error={result.error} {...(props.onRetry && { onRetry: props.onRetry })} {...(height !== undefined && { height })} />;
  if (props.isEmpty?.(result.data)) return <Empty {...(height !== undefined && { height })}>{props.empty ?? 'Nothing here yet.'}</Empty>;
  return <>{props.children(result.data)}</>;
}
