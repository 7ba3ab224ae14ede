use crate::error::Result;
#[allow(unused_imports)]
use crate::ports::*;
#[allow(unused_imports)]
use crate::sample::caseloop::*;
use crate::users::NewUser;
use crate::Engine;

impl Engine {
    /// Writes the sample's departments, users and routing, then a history for every case in
    /// the store (module docs), in one transaction each.
    pub fn load_sample_case_loop(&self, seed: &CaseLoopSeed) -> Result<()> {
        // GRIDDESK_TIMING=1 prints how long each phase takes.
        let timing = std::env::var_os("GRIDDESK_TIMING").is_some();
        let t = std::time::Instant::now();
        // The published demo accounts get their passwords hashed now, each with a random salt
        // (the seed file's fixed-salt hashes are not used), and are marked as demo accounts.
        let demo: Vec<(String, String)> = {
            use rayon::prelude::*;
            seed.users
                .par_iter()
                .filter_map(|u| {
                    DEMO_ACCOUNTS
                        .iter()
                        .find(|a| a.0 == u.login)
                        .map(|a| (u.login.clone(), a.1))
                })
                .map(|(login, pw)| Ok((login, crate::users::hash_password(pw)?)))
                .collect::<Result<_>>()?
        };
        self.with_desk(|store, desk, _| {
            store.transaction(|tx| {
                for d in &seed.departments {
                    tx.insert_department(d)?;
                }
                // The sample's accounts exist from the start of its case period.
                let now = "2025-11-01 00:00:00";
                for u in &seed.users {
                    let nu = NewUser {
                        login: u.login.clone(),
                        name: u.name.clone(),
                        password: String::new(),
                        roles: u.roles.clone(),
                        department: u.department.clone(),
                    };
                    match demo.iter().find(|(l, _)| *l == u.login) {
                        Some((_, phc)) => {
                            tx.insert_user(&nu, phc, now)?;
                            tx.set_user_demo(&u.login, true)?;
                        }
                        None => tx.insert_user(&nu, &u.password, now)?,
                    }
                }
                for r in &seed.routing {
                    tx.insert_rule(r)?;
                }
                Ok(())
            })?;
            desk.refresh_tables(&store.db())?;
            Ok(((), vec![]))
        })?;
        let t_tables = t.elapsed();
        self.with_desk(|store, desk, index| {
            let staff = Staff::new(seed);
            // A first-start load: a failure removes the whole store, so the large write need
            // not wait for the disk (the setting is restored right after).
            store.set_durable(false)?;
            let written = store.transaction(|tx| write_histories(tx, desk, index, seed.seed, &staff));
            store.set_durable(true)?;
            written?;
            let t_histories = t.elapsed();
            desk.load_open(&store.db(), index)?;
            if timing {
                eprintln!(
                    "sample case loop: accounts and tables {:.0} ms, histories {:.0} ms, open cases {:.0} ms",
                    t_tables.as_secs_f64() * 1e3,
                    (t_histories - t_tables).as_secs_f64() * 1e3,
                    (t.elapsed() - t_histories).as_secs_f64() * 1e3
                );
            }
            Ok(((), vec![]))
        })
    }
}
