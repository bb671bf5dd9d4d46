// The conversation's buttons become one "click" event with what was pressed; copying stays in the
// browser. After a new answer (or the last question asked again) the view moves to that answer's
// top (its question and first quote), not to the bottom; after any other re-render the reader's
// place in the log is kept. Runs as the chat component's js_on_load (`element`, `trigger`, `watch`).
let seen = element.querySelectorAll('.qqa-turn').length;
// Printing shows every fold (sources, partial lists) and puts them back as they were after.
const opened = [];
// Gradio's container hides what overflows it (custom CSS cannot reach it: Gradio scopes it inside),
// which cut a long conversation's last printed page, the disclaimer with it.
const container = () => element.closest('.gradio-container');
window.addEventListener('beforeprint', () => {
  element.querySelectorAll('.qqa-turn details:not([open])').forEach((d) => { d.open = true; opened.push(d); });
  if (container()) container().style.overflow = 'visible';
});
window.addEventListener('afterprint', () => {
  opened.splice(0).forEach((d) => { d.open = false; });
  if (container()) container().style.overflow = '';
});
let keep = null;
const log = () => element.querySelector('.qqa-log');
function copy(text, button) {
  const done = () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy answer'; }, 2000); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, () => {}); return; }
  const area = document.createElement('textarea'); area.value = text; document.body.appendChild(area);
  area.select(); document.execCommand('copy'); area.remove(); done();
}
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-action]');
  if (!b || !element.contains(b)) return;
  const d = b.dataset;
  if (d.action === 'copy') { copy(b.parentElement.querySelector('.qqa-copytext').value, b); return; }
  keep = log() ? log().scrollTop : null;
  const data = {action: d.action, turn: Number(d.turn ?? -1), number: Number(d.n ?? 0), rating: d.rating || '', text: d.text || ''};
  if (d.action === 'reason') { const input = element.querySelector('#qqa-reason-' + d.turn); data.text = input ? input.value : ''; }
  if (d.action === 'cite') {
    window.qqaCited = true; window.qqaFrom = {turn: d.turn, n: d.n};
    if (window.qqaOpenSource) window.qqaOpenSource();
  }
  trigger('click', data);
});
element.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && ev.target.matches('.qqa-reason input')) {
    ev.preventDefault(); ev.target.parentElement.querySelector('button[data-action=reason]').click();
  }
});
watch('value', () => {
  const turns = element.querySelectorAll('.qqa-turn');
  const repeat = element.querySelector('.qqa-repeat');
  if (turns.length > seen || repeat) { turns[turns.length - 1].scrollIntoView({block: 'start'}); }
  if (repeat) { setTimeout(() => repeat.classList.add('qqa-settled'), 8000); }
  else if (keep !== null && log()) { log().scrollTop = keep; }
  seen = turns.length; keep = null;
});
