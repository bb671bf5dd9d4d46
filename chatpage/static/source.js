// A citation was pressed: bring the first quoted sentence into view and move focus to the source;
// on a phone the viewer opens over the page. "Close" (phone), Escape and "Back to answer n" put
// focus back on the citation or found article that opened it (chat.js and found.js keep which in
// window.qqaFrom).
// "Ask about this article" sends one event with the article's id. Runs as the source viewer's js_on_load.
const side = element.closest('#qqa-side') || element;
const phone = () => window.matchMedia('(max-width: 700px)').matches;
function back() {
  const open = side.classList.contains('qqa-open');
  side.classList.remove('qqa-open'); side.removeAttribute('role'); side.removeAttribute('aria-modal');
  const f = window.qqaFrom || {};
  const cite = f.article  // opened from the article finder: back to that article's button
    ? document.querySelector(`#qqa-found button[data-article="${CSS.escape(f.article)}"]`)
    : document.querySelector(`#qqa-turn-${f.turn} .qqa-cite[data-n="${f.n}"]`) || document.querySelector(`#qqa-turn-${f.turn}`);
  if (cite) { cite.focus({preventScroll: true}); cite.scrollIntoView({block: 'center'}); }
  return open;
}
element.addEventListener('click', (ev) => {
  const scope = ev.target.closest('.qqa-scope-to');
  if (scope) {  // "Ask about this article": the next questions are asked of it; the question box is next
    trigger('click', {action: 'scope', article: scope.dataset.article});
    side.classList.remove('qqa-open'); side.removeAttribute('role'); side.removeAttribute('aria-modal');
    const box = document.querySelector('#qqa-question textarea');
    if (box) box.focus();
    return;
  }
  if (ev.target.closest('.qqa-close, .qqa-back')) { ev.preventDefault(); back(); }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && side.classList.contains('qqa-open')) { ev.preventDefault(); back(); }
});
function show() {
  const title = element.querySelector('#qqa-source-title');
  if (title) title.focus({preventScroll: true});
  const mark = element.querySelector('mark');
  (mark || title || element).scrollIntoView({block: 'center'});
}
// called on the click itself, so that the same citation pressed again (no new value) still opens
window.qqaOpenSource = () => {
  if (phone()) {
    side.classList.add('qqa-open'); side.setAttribute('role', 'dialog'); side.setAttribute('aria-modal', 'true');
    side.setAttribute('aria-labelledby', 'qqa-source-title'); side.scrollTop = 0;
  }
  show();
};
watch('value', () => {
  if (!window.qqaCited) return;
  window.qqaCited = false;
  show();
});
