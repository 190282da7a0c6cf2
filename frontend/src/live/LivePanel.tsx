/** The live-session bar of the viewer: status, presenter, participants, follow and control. */
import type { LiveViewer } from './useLiveViewer';

export function LivePanel({ live: lv }: { live: LiveViewer }) {
  if (!lv.sessionId) return null;
  const { live, status, isPresenter, following } = lv;
  return (
    <div className="live-bar" role="region" aria-label="Live session">
      <span className={`live-dot ${status.startsWith('connected') ? 'on' : ''}`} aria-hidden="true" />
      <strong>Live</strong>
      <span data-testid="live-status">{status || 'connecting'}</span>
      {live && (
        <>
          <span>
            · Presenter: {live.presenter?.name ?? 'nobody'}
            {isPresenter ? ' (you)' : ''}
          </span>
          <span className="live-people">· {live.participants.map((p) => p.user?.name).filter(Boolean).join(', ')}</span>
        </>
      )}
      {live && !isPresenter && (
        <>
          <button type="button" className={`tool${following ? ' active' : ''}`} aria-pressed={following} onClick={() => lv.setFollowing(!following)}>
            {following ? 'Following' : 'Follow presenter'}
          </button>
          <button type="button" className="tool" onClick={() => lv.client?.requestPresenter()}>
            Ask for control
          </button>
        </>
      )}
    </div>
  );
}
