//! Approximate nearest-neighbour search over L2-normalised `f32` vectors
//! (cosine similarity = dot product), for same-scene / same-room search.
//!
//! The index is an inverted file (IVF): spherical k-means centroids
//! partition the vectors into lists; a query scans the `nprobe` lists whose
//! centroids are most similar to it, exactly (no quantisation), and returns
//! the `k` best. Before [`IndexParams::min_train`] vectors, the index is a
//! flat (exact) one; it trains itself then, and retrains when it has grown
//! [`IndexParams::retrain_growth`] times since the last training, so lists
//! stay about `sqrt(n)` long. Everything is deterministic: the same
//! insertions in the same order give the same index, file and results
//! (ties are broken by id).
//!
//! Files: [`Index::save`] writes a versioned file with a SHA-256 trailer;
//! [`Index::load`] validates it (magic, version, sizes, checksum) and
//! returns a typed [`AnnError`] for a corrupt or foreign file.
#![warn(missing_docs)]

mod error;
mod file;
mod kmeans;

pub use error::AnnError;
pub use file::FORMAT_VERSION;

/// Parameters of an index (kept in its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexParams {
    /// Vectors held flat (exact search) before the first training.
    pub min_train: usize,
    /// Retrain when the index has grown this many times since training.
    pub retrain_growth: usize,
    /// Training vectors per list (a sample of the index, at most all).
    pub train_per_list: usize,
    /// k-means iterations.
    pub iterations: usize,
    /// Seed of the k-means initialisation and sampling.
    pub seed: u64,
}

impl Default for IndexParams {
    fn default() -> Self {
        Self {
            min_train: 4096,
            retrain_growth: 4,
            train_per_list: 64,
            iterations: 10,
            seed: 0x5eed,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The id given at insertion.
    pub id: u64,
    /// Cosine similarity to the query.
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct List {
    ids: Vec<u64>,
    vecs: Vec<f32>,
}

/// The index.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    dim: usize,
    params: IndexParams,
    /// `lists.len()` x `dim` unit vectors; empty while untrained.
    centroids: Vec<f32>,
    /// One list per centroid, or a single flat list while untrained.
    lists: Vec<List>,
    /// Per list, the smallest cosine between a member and its centroid
    /// (derived, not stored in the file): bounds what a list can hold.
    min_cos: Vec<f32>,
    len: usize,
    trained_at: usize,
}

/// How many lists a bounded search scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchStats {
    /// Lists scanned.
    pub lists_scanned: usize,
    /// Vectors compared.
    pub vectors_scanned: usize,
    /// True when the result is provably exact (every list not scanned
    /// could not hold a better vector).
    pub exact: bool,
}

/// Dot product, written so the compiler vectorises it.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Keeps the `k` best hits, best first, ties by smaller id.
struct TopK {
    k: usize,
    hits: Vec<Hit>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            hits: Vec::with_capacity(k + 1),
        }
    }
    fn better(a: &Hit, b: &Hit) -> bool {
        a.score > b.score || (a.score == b.score && a.id < b.id)
    }
    fn push(&mut self, h: Hit) {
        if self.k == 0 {
            return;
        }
        if self.hits.len() == self.k {
            match self.hits.last() {
                Some(last) if Self::better(&h, last) => {}
                _ => return,
            }
            self.hits.pop();
        }
        let pos = self.hits.partition_point(|x| Self::better(x, &h));
        self.hits.insert(pos, h);
    }
}

impl Index {
    /// An empty index for vectors of `dim` dimensions.
    pub fn new(dim: usize, params: IndexParams) -> Result<Index, AnnError> {
        if dim == 0 || dim > 1 << 16 {
            return Err(AnnError::Params("dimension must be within 1..=65536"));
        }
        if params.min_train < 2 || params.retrain_growth < 2 || params.train_per_list == 0 {
            return Err(AnnError::Params(
                "min_train and retrain_growth must be >= 2, train_per_list >= 1",
            ));
        }
        Ok(Index {
            dim,
            params,
            centroids: Vec::new(),
            lists: vec![List::default()],
            min_cos: Vec::new(),
            len: 0,
            trained_at: 0,
        })
    }

    /// Dimension of the vectors.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of inverted lists (0 while the index is flat).
    pub fn lists(&self) -> usize {
        self.centroids.len() / self.dim
    }

    /// The parameters.
    pub fn params(&self) -> IndexParams {
        self.params
    }

    fn check(&self, v: &[f32]) -> Result<(), AnnError> {
        if v.len() != self.dim {
            return Err(AnnError::Dimension {
                expected: self.dim,
                found: v.len(),
            });
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(AnnError::NonFinite);
        }
        Ok(())
    }

    /// Add one vector (it should be L2-normalised) under `id`. Ids need not
    /// be unique (region embeddings of one image may share one).
    pub fn insert(&mut self, id: u64, v: &[f32]) -> Result<(), AnnError> {
        self.extend(&[id], v)
    }

    /// Add many vectors: `vectors` holds `ids.len()` rows of `dim` values.
    /// Same result as inserting them one by one, faster.
    pub fn extend(&mut self, ids: &[u64], vectors: &[f32]) -> Result<(), AnnError> {
        if Some(vectors.len()) != ids.len().checked_mul(self.dim) {
            return Err(AnnError::Dimension {
                expected: self.dim,
                found: vectors.len() / ids.len().max(1),
            });
        }
        for v in vectors.chunks_exact(self.dim) {
            self.check(v)?;
        }
        let mut start = 0;
        while start < ids.len() {
            // Insert up to the next (re)training point, then train.
            let next_train = if self.centroids.is_empty() {
                self.params.min_train
            } else {
                self.trained_at.saturating_mul(self.params.retrain_growth)
            };
            let room = next_train.saturating_sub(self.len).max(1);
            let end = (start + room).min(ids.len());
            self.add_assigned(&ids[start..end], &vectors[start * self.dim..end * self.dim]);
            if self.len >= next_train {
                self.train();
            }
            start = end;
        }
        Ok(())
    }

    fn add_assigned(&mut self, ids: &[u64], vectors: &[f32]) {
        if self.centroids.is_empty() {
            self.lists[0].ids.extend_from_slice(ids);
            self.lists[0].vecs.extend_from_slice(vectors);
        } else {
            let k = self.lists();
            let a = kmeans::assign(vectors, &self.centroids, self.dim, k);
            self.min_cos.resize(k, 1.0);
            for ((id, v), (j, _)) in ids.iter().zip(vectors.chunks_exact(self.dim)).zip(a) {
                let j = j as usize;
                let c = &self.centroids[j * self.dim..(j + 1) * self.dim];
                self.min_cos[j] = self.min_cos[j].min(dot(v, c));
                let l = &mut self.lists[j];
                l.ids.push(*id);
                l.vecs.extend_from_slice(v);
            }
        }
        self.len += ids.len();
    }

    /// (Re)train the centroids on the current vectors and redistribute
    /// them. Called automatically; callable to rebalance after bulk loads.
    pub fn train(&mut self) {
        let n = self.len;
        if n < 2 {
            return;
        }
        let k = ((n as f64).sqrt().round() as usize).clamp(1, 65536);
        // All vectors in list order (deterministic), ids alongside.
        let mut ids = Vec::with_capacity(n);
        let mut all = Vec::with_capacity(n * self.dim);
        for l in self.lists.drain(..) {
            ids.extend(l.ids);
            all.extend(l.vecs);
        }
        // Training sample: a seeded choice of rows.
        let want = k.saturating_mul(self.params.train_per_list).min(n);
        let mut rng = kmeans::Rng(self.params.seed ^ n as u64);
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..want {
            let j = i + rng.below(n - i);
            order.swap(i, j);
        }
        let mut sample_rows: Vec<usize> = order[..want].to_vec();
        sample_rows.sort_unstable();
        let mut sample = Vec::with_capacity(want * self.dim);
        for &r in &sample_rows {
            sample.extend_from_slice(&all[r * self.dim..(r + 1) * self.dim]);
        }
        self.centroids = kmeans::train(
            &sample,
            self.dim,
            k,
            self.params.iterations,
            self.params.seed,
        );
        self.lists = vec![List::default(); k];
        self.min_cos = vec![1.0; k];
        self.len = 0;
        self.trained_at = n;
        tracing::debug!(vectors = n, lists = k, "ANN index trained");
        self.add_assigned(&ids, &all);
        for l in &mut self.lists {
            l.ids.shrink_to_fit();
            l.vecs.shrink_to_fit();
        }
    }

    /// The `k` nearest vectors to `query` scanning the `nprobe` closest
    /// lists (all of them when the index is flat), best first.
    pub fn search(&self, query: &[f32], k: usize, nprobe: usize) -> Result<Vec<Hit>, AnnError> {
        self.check(query)?;
        let mut top = TopK::new(k);
        if self.centroids.is_empty() {
            self.scan(&self.lists[0], query, &mut top);
            return Ok(top.hits);
        }
        let mut order: Vec<(f32, usize)> = self
            .centroids
            .chunks_exact(self.dim)
            .enumerate()
            .map(|(j, c)| (dot(c, query), j))
            .collect();
        let nprobe = nprobe.clamp(1, order.len());
        order.select_nth_unstable_by(nprobe - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, j) in &order[..nprobe] {
            self.scan(&self.lists[j], query, &mut top);
        }
        Ok(top.hits)
    }

    /// The `k` nearest vectors to `query`, scanning lists in order of the
    /// best score they could hold (from the angle between the query and
    /// the list's centroid and the list's angular radius): at least
    /// `min_probe` lists, at most `max_probe`, and stopping as soon as no
    /// remaining list can beat the `k`-th best score found. With
    /// `max_probe >= lists()` the result is exact (same as [`Index::exact`]
    /// up to ties), usually after scanning far fewer lists on structured
    /// data; on unstructured data (uniformly random vectors) the bound
    /// prunes little and the search approaches a full scan.
    pub fn search_bounded(
        &self,
        query: &[f32],
        k: usize,
        min_probe: usize,
        max_probe: usize,
    ) -> Result<(Vec<Hit>, SearchStats), AnnError> {
        self.check(query)?;
        let mut top = TopK::new(k);
        let mut stats = SearchStats::default();
        if self.centroids.is_empty() {
            self.scan(&self.lists[0], query, &mut top);
            stats.lists_scanned = 1;
            stats.vectors_scanned = self.lists[0].ids.len();
            stats.exact = true;
            return Ok((top.hits, stats));
        }
        // Upper bound of the cosine between the query and any unit vector
        // within angle r of a centroid at angle t: cos(max(0, t - r)).
        let mut order: Vec<(f32, usize)> = self
            .centroids
            .chunks_exact(self.dim)
            .enumerate()
            .filter(|(j, _)| !self.lists[*j].ids.is_empty())
            .map(|(j, c)| {
                let t = dot(c, query).clamp(-1.0, 1.0).acos();
                let r = self.min_cos[j].clamp(-1.0, 1.0).acos();
                ((t - r).max(0.0).cos() + 1e-4, j)
            })
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        stats.exact = true;
        for (n, &(bound, j)) in order.iter().enumerate() {
            let full = k > 0 && top.hits.len() == k;
            if n >= min_probe.max(1) && full && top.hits.last().is_some_and(|h| h.score > bound) {
                break;
            }
            if n >= max_probe.max(1) {
                stats.exact = false;
                break;
            }
            self.scan(&self.lists[j], query, &mut top);
            stats.lists_scanned += 1;
            stats.vectors_scanned += self.lists[j].ids.len();
        }
        Ok((top.hits, stats))
    }

    /// The exact `k` nearest vectors (scans everything).
    pub fn exact(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, AnnError> {
        self.check(query)?;
        let mut top = TopK::new(k);
        for l in &self.lists {
            self.scan(l, query, &mut top);
        }
        Ok(top.hits)
    }

    fn scan(&self, l: &List, q: &[f32], top: &mut TopK) {
        for (id, v) in l.ids.iter().zip(l.vecs.chunks_exact(self.dim)) {
            top.push(Hit {
                id: *id,
                score: dot(q, v),
            });
        }
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.centroids.capacity() * 4
            + self.min_cos.capacity() * 4
            + self
                .lists
                .iter()
                .map(|l| l.ids.capacity() * 8 + l.vecs.capacity() * 4 + 48)
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, dim: usize) -> Vec<f32> {
        let mut r = kmeans::Rng(seed);
        let v: Vec<f32> = (0..dim)
            .map(|_| (r.next() % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        let n = dot(&v, &v).sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    #[test]
    fn flat_then_trained_and_deterministic() {
        let dim = 16;
        let p = IndexParams {
            min_train: 50,
            ..IndexParams::default()
        };
        let mut a = Index::new(dim, p).unwrap();
        let mut b = Index::new(dim, p).unwrap();
        let mut all = Vec::new();
        for i in 0..300u64 {
            let v = unit(i, dim);
            a.insert(i, &v).unwrap();
            all.extend(v);
        }
        let ids: Vec<u64> = (0..300).collect();
        b.extend(&ids, &all).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 300);
        assert!(a.lists() > 1);
        let q = unit(7, dim);
        let hits = a.search(&q, 5, a.lists()).unwrap();
        assert_eq!(hits, a.exact(&q, 5).unwrap());
        assert_eq!(hits[0].id, 7);
        assert!((hits[0].score - 1.0).abs() < 1e-5);
        assert!(matches!(
            a.insert(1, &[0.0; 3]),
            Err(AnnError::Dimension { .. })
        ));
        assert!(matches!(
            a.insert(1, &[f32::NAN; 16]),
            Err(AnnError::NonFinite)
        ));
    }

    #[test]
    fn bounded_search_is_exact_with_all_lists() {
        let dim = 24;
        let p = IndexParams {
            min_train: 64,
            ..IndexParams::default()
        };
        let mut a = Index::new(dim, p).unwrap();
        for i in 0..2000u64 {
            a.insert(i, &unit(i * 31 + 5, dim)).unwrap();
        }
        assert!(a.lists() > 10);
        for s in 0..20u64 {
            let q = unit(10_000 + s, dim);
            let (hits, st) = a.search_bounded(&q, 10, 1, usize::MAX).unwrap();
            assert!(st.exact);
            let ex = a.exact(&q, 10).unwrap();
            let ids = |h: &[Hit]| h.iter().map(|h| h.id).collect::<Vec<_>>();
            assert_eq!(ids(&hits), ids(&ex));
            let (_, st) = a.search_bounded(&q, 10, 1, 2).unwrap();
            assert!(st.lists_scanned <= 2);
        }
        // A loaded index has the same derived bounds.
        let back = Index::from_bytes(std::path::Path::new("x"), &a.to_bytes()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn topk_order() {
        let mut t = TopK::new(2);
        for (id, s) in [(5, 0.1), (3, 0.5), (4, 0.5), (1, 0.2)] {
            t.push(Hit { id, score: s });
        }
        assert_eq!(t.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![3, 4]);
    }
}
