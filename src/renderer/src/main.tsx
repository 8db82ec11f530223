import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { getApi } from './api.js';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

function root(): ReactNode {
  try {
    return <App api={getApi()} />;
  } catch (err) {
    return <p className="error">{err instanceof Error ? err.message : String(err)}</p>;
  }
}

createRoot(container).render(<StrictMode>{root()}</StrictMode>);
