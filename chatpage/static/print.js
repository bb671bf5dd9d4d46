() => { window.print(); }
