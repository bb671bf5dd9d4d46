// The scope chip by the question box ("Asking only “…”"): its remove button (a real button, so
// Tab reaches it and Enter or Space presses it; Delete and Backspace on it too) takes the scope
// away with one event, and focus goes back to the question box. Runs as the chip's js_on_load.
const box = () => document.querySelector('#qqa-question textarea');
element.addEventListener('click', (ev) => {
  if (!ev.target.closest('button[data-action=unscope]')) return;
  trigger('click', {action: 'unscope'});
  if (box()) box().focus();
});
element.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Delete' || ev.key === 'Backspace') && ev.target.matches('button[data-action=unscope]')) {
    ev.preventDefault(); ev.target.click();
  }
});
