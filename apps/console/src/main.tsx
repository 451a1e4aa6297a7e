import { render } from 'preact';
import { App } from './app';
import { onLinkClick } from './router';
import './styles.css';

document.addEventListener('click', onLinkClick);
// "/" jumps to the view's search or first filter, as in most operator tools; not while typing.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const field = document.querySelector<HTMLElement>(
    'main [role="search"] input[type="search"], main [role="search"] input, main [role="search"] select',
  );
  if (!field) return;
  event.preventDefault();
  field.focus();
});
const root = document.getElementById('app');
if (root) render(<App />, root);
