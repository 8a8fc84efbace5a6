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
mod pca;

pub use error::AnnError;
pub use file::FORMAT_VERSION;
pub use pca::{Projection, ProjectionSpec};

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

/// One inverted list: ids and either `f32` vectors or, in a compressed
/// index, int8 codes with one scale per vector.
#[derive(Debug, Clone, Default, PartialEq)]
struct List {
    ids: Vec<u64>,
    vecs: Vec<f32>,
    codes: Vec<i8>,
    scales: Vec<f32>,
}

/// The index.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    dim: usize,
    params: IndexParams,
    /// When set, vectors are projected to `projection.out()` dimensions
    /// and stored as int8 codes (scores are then approximate).
    projection: Option<Projection>,
    /// Dimension of the stored vectors and centroids (`dim`, or the
    /// projection's output).
    sdim: usize,
    /// `lists.len()` x `sdim` unit vectors; empty while untrained.
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
            projection: None,
            sdim: dim,
            centroids: Vec::new(),
            lists: vec![List::default()],
            min_cos: Vec::new(),
            len: 0,
            trained_at: 0,
        })
    }

    /// An empty compressed index: vectors of `projection.dim()` dimensions
    /// are projected to `projection.out()` and stored as int8 codes (one
    /// byte per dimension plus a 4-byte scale per vector). Search scores
    /// are approximate: rescore the short list with the original vectors.
    pub fn new_compressed(params: IndexParams, projection: Projection) -> Result<Index, AnnError> {
        let mut idx = Index::new(projection.dim(), params)?;
        idx.sdim = projection.out();
        idx.projection = Some(projection);
        Ok(idx)
    }

    /// The projection of a compressed index.
    pub fn projection(&self) -> Option<&Projection> {
        self.projection.as_ref()
    }

    /// Whether search scores are exact cosines (false for a compressed
    /// index).
    pub fn exact_scores(&self) -> bool {
        self.projection.is_none()
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
        self.centroids.len() / self.sdim
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
        let projected;
        let vectors = match &self.projection {
            Some(p) => {
                projected = p.project_rows(vectors);
                &projected[..]
            }
            None => vectors,
        };
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
            self.add_assigned(
                &ids[start..end],
                &vectors[start * self.sdim..end * self.sdim],
            );
            if self.len >= next_train {
                self.train();
            }
            start = end;
        }
        Ok(())
    }

    /// Add rows of `sdim` values (already projected) to their lists.
    fn add_assigned(&mut self, ids: &[u64], vectors: &[f32]) {
        let d = self.sdim;
        let compressed = self.projection.is_some();
        let push = |l: &mut List, id: u64, v: &[f32]| {
            l.ids.push(id);
            if compressed {
                let s = pca::quantise(v, &mut l.codes);
                l.scales.push(s);
            } else {
                l.vecs.extend_from_slice(v);
            }
        };
        if self.centroids.is_empty() {
            for (id, v) in ids.iter().zip(vectors.chunks_exact(d)) {
                push(&mut self.lists[0], *id, v);
            }
        } else {
            let k = self.lists();
            let a = kmeans::assign(vectors, &self.centroids, d, k);
            self.min_cos.resize(k, 1.0);
            for ((id, v), (j, _)) in ids.iter().zip(vectors.chunks_exact(d)).zip(a) {
                let j = j as usize;
                let c = &self.centroids[j * d..(j + 1) * d];
                let n = dot(v, v).sqrt();
                let cos = if n > 0.0 { dot(v, c) / n } else { 1.0 };
                self.min_cos[j] = self.min_cos[j].min(cos);
                push(&mut self.lists[j], *id, v);
            }
        }
        self.len += ids.len();
    }

    /// Row `i` of list `l` as `sdim` floats (decoded when compressed).
    fn row(&self, l: &List, i: usize, out: &mut Vec<f32>) {
        let d = self.sdim;
        if self.projection.is_some() {
            let s = l.scales[i];
            out.extend(
                l.codes[i * d..(i + 1) * d]
                    .iter()
                    .map(|c| f32::from(*c) * s),
            );
        } else {
            out.extend_from_slice(&l.vecs[i * d..(i + 1) * d]);
        }
    }

    /// (Re)train the centroids on the current vectors and redistribute
    /// them. Called automatically; callable to rebalance after bulk loads.
    pub fn train(&mut self) {
        let n = self.len;
        if n < 2 {
            return;
        }
        let d = self.sdim;
        let k = ((n as f64).sqrt().round() as usize).clamp(1, 65536);
        // All rows in list order (deterministic), ids alongside; a
        // compressed index keeps its codes (decoded batch by batch below).
        let lists = std::mem::take(&mut self.lists);
        let mut ids = Vec::with_capacity(n);
        let mut where_: Vec<(u32, u32)> = Vec::with_capacity(n);
        for (li, l) in lists.iter().enumerate() {
            ids.extend_from_slice(&l.ids);
            where_.extend((0..l.ids.len()).map(|i| (li as u32, i as u32)));
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
        let mut sample = Vec::with_capacity(want * d);
        for &r in &sample_rows {
            let (li, i) = where_[r];
            self.row(&lists[li as usize], i as usize, &mut sample);
        }
        self.centroids = kmeans::train(&sample, d, k, self.params.iterations, self.params.seed);
        drop(sample);
        self.lists = vec![List::default(); k];
        self.min_cos = vec![1.0; k];
        self.len = 0;
        self.trained_at = n;
        tracing::debug!(vectors = n, lists = k, "ANN index trained");
        const BATCH: usize = 4096;
        let mut buf = Vec::with_capacity(BATCH * d);
        for (chunk_ids, chunk_where) in ids.chunks(BATCH).zip(where_.chunks(BATCH)) {
            buf.clear();
            for &(li, i) in chunk_where {
                self.row(&lists[li as usize], i as usize, &mut buf);
            }
            self.add_assigned(chunk_ids, &buf);
        }
        drop(lists);
        for l in &mut self.lists {
            l.ids.shrink_to_fit();
            l.vecs.shrink_to_fit();
            l.codes.shrink_to_fit();
            l.scales.shrink_to_fit();
        }
    }

    /// The query in the stored space (projected when compressed).
    fn stored_query(&self, query: &[f32]) -> Vec<f32> {
        match &self.projection {
            Some(p) => p.project(query),
            None => query.to_vec(),
        }
    }

    /// The `k` nearest vectors to `query` scanning the `nprobe` closest
    /// lists (all of them when the index is flat), best first.
    pub fn search(&self, query: &[f32], k: usize, nprobe: usize) -> Result<Vec<Hit>, AnnError> {
        self.check(query)?;
        let query = &self.stored_query(query)[..];
        let mut top = TopK::new(k);
        if self.centroids.is_empty() {
            self.scan(&self.lists[0], query, &mut top);
            return Ok(top.hits);
        }
        let mut order: Vec<(f32, usize)> = self
            .centroids
            .chunks_exact(self.sdim)
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
        let query = &self.stored_query(query)[..];
        let exact = self.projection.is_none();
        let mut top = TopK::new(k);
        let mut stats = SearchStats::default();
        if self.centroids.is_empty() {
            self.scan(&self.lists[0], query, &mut top);
            stats.lists_scanned = 1;
            stats.vectors_scanned = self.lists[0].ids.len();
            stats.exact = exact;
            return Ok((top.hits, stats));
        }
        // A compressed index bounds the cosines of normalised projections
        // (then scaled by the query's projected length): a guide for the
        // order and the stop, not a proof.
        let qn = dot(query, query).sqrt();
        let qscale = if exact || qn == 0.0 { 1.0 } else { qn };
        // Upper bound of the cosine between the query and any unit vector
        // within angle r of a centroid at angle t: cos(max(0, t - r)).
        let mut order: Vec<(f32, usize)> = self
            .centroids
            .chunks_exact(self.sdim)
            .enumerate()
            .filter(|(j, _)| !self.lists[*j].ids.is_empty())
            .map(|(j, c)| {
                let t = (dot(c, query) / qscale).clamp(-1.0, 1.0).acos();
                let r = self.min_cos[j].clamp(-1.0, 1.0).acos();
                ((t - r).max(0.0).cos() * qscale + 1e-4, j)
            })
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        stats.exact = exact;
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
        let query = &self.stored_query(query)[..];
        let mut top = TopK::new(k);
        for l in &self.lists {
            self.scan(l, query, &mut top);
        }
        Ok(top.hits)
    }

    fn scan(&self, l: &List, q: &[f32], top: &mut TopK) {
        if self.projection.is_some() {
            for ((id, c), s) in l
                .ids
                .iter()
                .zip(l.codes.chunks_exact(self.sdim))
                .zip(&l.scales)
            {
                top.push(Hit {
                    id: *id,
                    score: pca::dot_i8(q, c) * s,
                });
            }
        } else {
            for (id, v) in l.ids.iter().zip(l.vecs.chunks_exact(self.sdim)) {
                top.push(Hit {
                    id: *id,
                    score: dot(q, v),
                });
            }
        }
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.centroids.capacity() * 4
            + self.min_cos.capacity() * 4
            + self
                .lists
                .iter()
                .map(|l| {
                    l.ids.capacity() * 8
                        + l.vecs.capacity() * 4
                        + l.codes.capacity()
                        + l.scales.capacity() * 4
                        + 96
                })
                .sum::<usize>()
            + self
                .projection
                .as_ref()
                .map_or(0, |p| p.rows.capacity() * 4)
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
    fn compressed_index_finds_neighbours_and_round_trips() {
        // Clustered data in a 16-d subspace of 64 dimensions, plus a
        // little isotropic noise.
        let dim = 64;
        let mut r = kmeans::Rng(9);
        let basis: Vec<Vec<f32>> = (0..16).map(|b| unit(1000 + b, dim)).collect();
        let centres: Vec<Vec<f32>> = (0..20).map(|c| unit(2000 + c, 16)).collect();
        let mut all = Vec::new();
        for i in 0..3000usize {
            let coef: Vec<f32> = centres[i % 20]
                .iter()
                .map(|x| x + ((r.next() % 2001) as f32 / 1000.0 - 1.0) * 0.3)
                .collect();
            let mut v = vec![0f32; dim];
            for (c, b) in coef.iter().zip(&basis) {
                for (x, y) in v.iter_mut().zip(b) {
                    *x += c * y;
                }
            }
            for x in &mut v {
                *x += ((r.next() % 2001) as f32 / 1000.0 - 1.0) * 0.005;
            }
            let n = dot(&v, &v).sqrt();
            v.iter_mut().for_each(|x| *x /= n);
            all.extend(v);
        }
        let spec = ProjectionSpec {
            out: 24,
            centre: false,
            whiten: 0.0,
        };
        let proj = Projection::fit(&all, dim, spec, 1).unwrap();
        assert!(proj.energy() > 0.9, "energy {}", proj.energy());
        let p = IndexParams {
            min_train: 500,
            ..IndexParams::default()
        };
        let mut plain = Index::new(dim, p).unwrap();
        let mut comp = Index::new_compressed(p, proj).unwrap();
        let ids: Vec<u64> = (0..3000).collect();
        plain.extend(&ids, &all).unwrap();
        comp.extend(&ids, &all).unwrap();
        assert!(!comp.exact_scores());
        assert!(comp.memory_bytes() * 3 < plain.memory_bytes());
        let mut found = 0;
        for qi in (0..3000).step_by(100) {
            let q = &all[qi * dim..(qi + 1) * dim];
            let truth: Vec<u64> = plain.exact(q, 10).unwrap().iter().map(|h| h.id).collect();
            let (hits, st) = comp.search_bounded(q, 40, 1, usize::MAX).unwrap();
            assert!(!st.exact);
            found += truth
                .iter()
                .filter(|t| hits.iter().any(|h| h.id == **t))
                .count();
        }
        // The 40-long approximate short list holds nearly all true top 10.
        assert!(found >= 270, "found {found} of 300");
        let back = Index::from_bytes(std::path::Path::new("x"), &comp.to_bytes()).unwrap();
        let q = &all[..dim];
        assert_eq!(
            back.search(q, 10, 4).unwrap(),
            comp.search(q, 10, 4).unwrap()
        );
        assert_eq!(back.to_bytes(), comp.to_bytes());
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
