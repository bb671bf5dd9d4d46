// The article finder's list: pressing a found article sends one event with its id, and the viewer
// (where it opens) takes the focus, over the page on a phone. Runs as the list's js_on_load.
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-action=article]');
  if (!b || !element.contains(b)) return;
  window.qqaCited = true;  // the viewer's next value is shown and focused (source.js)
  window.qqaFrom = {article: b.dataset.article};  // where closing it returns (source.js)
  if (window.qqaOpenSource) window.qqaOpenSource();
  trigger('click', {action: 'article', article: b.dataset.article});
});
