//! A cache whose values are made once per key however many ask at the same moment: the first
//! caller fetches, the others wait for its answer. A failed or dropped fetch leaves the key
//! empty, so the next caller tries again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OnceCell;

pub struct OnceMap<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        OnceMap { cells: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> OnceMap<K, V> {
    fn cells(&self) -> MutexGuard<'_, HashMap<K, Arc<OnceCell<V>>>> {
        self.cells.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `key`: cached, or made by `make` (once, for every caller waiting).
    pub async fn get_or_try_init<E, F, Fut>(&self, key: &K, make: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = self.cells().entry(key.clone()).or_default().clone();
        cell.get_or_try_init(make).await.cloned()
    }

    /// The value of `key` if it was made already.
    pub fn get(&self, key: &K) -> Option<V> {
        self.cells().get(key).and_then(|c| c.get().cloned())
    }

    /// Forgets every key for which `keep` is false.
    pub fn retain(&self, mut keep: impl FnMut(&K) -> bool) {
        self.cells().retain(|k, _| keep(k));
    }

    /// Values made so far, with their keys.
    pub fn made(&self) -> Vec<(K, V)> {
        self.cells().iter().filter_map(|(k, c)| c.get().map(|v| (k.clone(), v.clone()))).collect()
    }
}
