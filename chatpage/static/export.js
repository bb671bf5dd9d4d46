(file) => {
  // the export's file, once made: download it under its own name (the conversation and the time)
  if (!file || !file.url) return;
  const a = document.createElement('a');
  a.href = file.url; a.download = file.orig_name || 'quoteqa-conversation.md';
  document.body.appendChild(a); a.click(); a.remove();
}
