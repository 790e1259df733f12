// Two frames after the page runs, its content is on the screen: the same mark as Yespo Admin's.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI__.core.invoke('painted')));
