import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { LiveFeed, gatewayWsUrl } from './live-feed.ts';
import './styles.css';

const feed = new LiveFeed(gatewayWsUrl(window.location), new URLSearchParams(window.location.search).get('token'));
feed.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
