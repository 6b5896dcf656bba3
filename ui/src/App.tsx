import { AlertsFeed } from './components/AlertsFeed.tsx';
import { ClusterPanel } from './components/ClusterPanel.tsx';
import { ConnectionBadge } from './components/ConnectionBadge.tsx';
import { ActiveUsersCard, ConversionsCard, PageViewsCard, SessionsCard } from './components/KpiCards.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { TopPages } from './components/TopPages.tsx';

export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo">◆</span> rtap <span className="sub">real-time analytics</span>
        </div>
        <ConnectionBadge />
      </header>
      <main>
        <div className="kpis">
          <PageViewsCard />
          <ActiveUsersCard />
          <SessionsCard />
          <ConversionsCard />
        </div>
        <div className="row">
          <TopPages />
          <AlertsFeed />
        </div>
        <ClusterPanel />
      </main>
      <StatusBar />
    </div>
  );
}
