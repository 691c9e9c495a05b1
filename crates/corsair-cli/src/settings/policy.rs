//! Building the policy from what the layers gathered: the `[cors]` configuration with the sets
//! its origins sources fill, its report-only candidate, and the observer; the engine's findings
//! are located with the layers' sources.

use std::sync::Arc;

use corsair::{CorsBuilder, Observation, Observer, OriginSet};

use super::diagnostic::Diagnostic;
use super::origins_source::{OriginSets, OriginsSource};
use super::{Gathered, Loaded, Problems};

/// Builds the policy of `values`, its sources' sets taken from `origin_sets`; `problems` are
/// those of the layers (errors make the load fail once the engine's findings are added).
pub(super) fn build(
    values: Gathered,
    origins_sources: Vec<OriginsSource>,
    mut problems: Problems,
    observer: Option<Arc<dyn Observer>>,
    origin_sets: &OriginSets,
) -> Result<Loaded, Problems> {
    let Gathered {
        file,
        cors,
        provenance,
        server,
        server_sources,
        admin,
        admin_sources,
        report_only,
        ..
    } = values;
    let (mut builder, candidate_sets) =
        with_origin_sets(CorsBuilder::from(cors), &origins_sources, origin_sets);
    if let Some(candidate) = &report_only {
        // The candidate consults the default policy's tenant origins too.
        let mut candidate = CorsBuilder::from(candidate.clone());
        if let Some(set) = candidate_sets {
            candidate = candidate.allowed_origins_from(set);
        }
        builder = builder.report_only(candidate);
    }
    if let Some(observer) = observer {
        builder = builder.observer(move |seen: &Observation<'_>| observer.observe(seen));
    }
    match builder.build() {
        Ok(_) if problems.iter().any(Diagnostic::is_error) => Err(problems),
        Ok(policy) => {
            problems.extend(
                policy
                    .warnings()
                    .iter()
                    .map(|w| Diagnostic::from_finding(w.clone(), &provenance)),
            );
            Ok(Loaded {
                file,
                server,
                admin,
                cors: policy,
                report_only,
                provenance,
                server_sources,
                admin_sources,
                warnings: problems,
                origins_sources,
                origin_sets: origin_sets.clone(),
            })
        }
        Err(error) => {
            problems.extend(
                error
                    .into_findings()
                    .into_iter()
                    .map(|f| Diagnostic::from_finding(f, &provenance)),
            );
            Err(problems)
        }
    }
}

/// Gives each source's set to the policy it fills: the default policy's, or its route's.
/// Returns the builder and the default policy's set, if any.
fn with_origin_sets(
    mut builder: CorsBuilder,
    sources: &[OriginsSource],
    sets: &OriginSets,
) -> (CorsBuilder, Option<OriginSet>) {
    let mut default = None;
    for source in sources {
        // By the source's identity, not its place in the file: a set follows its source.
        let set = sets.get(&source.store);
        match source.route {
            None => {
                default = Some(set.clone());
                builder = builder.allowed_origins_from(set);
            }
            Some(index) => {
                let Some(path) = builder.config().routes.get(index).map(|r| r.path.clone()) else {
                    continue;
                };
                builder = builder.route(path, CorsBuilder::default().allowed_origins_from(set));
            }
        }
    }
    (builder, default)
}
