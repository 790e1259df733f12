// What the pages use of Tauri's global API (`app.withGlobalTauri`), written by hand: the app
// ships no npm packages.

interface TauriChannel<T> {
  onmessage: (message: T) => void;
}

interface Window {
  __TAURI__: {
    core: {
      invoke<T = any>(command: string, args?: Record<string, unknown>): Promise<T>;
      Channel: new <T = any>() => TauriChannel<T>;
    };
  };
}
