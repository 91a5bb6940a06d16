//! The triggers on insert and update: a row must point at an existing row of a target.

use super::*;

/// `key_sql`, an object id of `through`, as a key of `target` that its primary key index
/// can look up, and the condition that the object id is exactly that key's text (a text
/// object id `'05'` points at no row: the joins compare text).
fn target_lookup(
    dialect: Dialect,
    oid_sql: &str,
    target: &ModelDef,
    through: &ModelDef,
    gfk: &GenericForeignKeyDef,
    alias: &str,
) -> String {
    let q = |s: &str| dialect.quote(s);
    let (pk, key) = primary_key(target);
    let pk_sql = format!("{}.{}", q(alias), q(pk));
    let oid_type = object_id_type(through, gfk);
    if !join_needs_text_cast(oid_type, key) {
        return format!("{pk_sql} = {oid_sql}");
    }
    let exact = format!("{} = {oid_sql}", key_as_text_sql(dialect, &pk_sql, key));
    // The typed lookup first (the index), then the exact text.
    let typed = match (dialect, key) {
        (Dialect::Postgres, SqlType::Uuid) => Some(format!(
            "{pk_sql} = (CASE WHEN {oid_sql} ~ '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$' THEN CAST({oid_sql} AS uuid) END)"
        )),
        (Dialect::Postgres, k) if k.is_integer() => Some(format!(
            "{pk_sql} = (CASE WHEN {oid_sql} ~ '^-?[0-9]{{1,18}}$' THEN CAST({oid_sql} AS bigint) END)"
        )),
        (Dialect::Mysql | Dialect::Sqlite, k) if k.is_integer() => {
            Some(format!("{pk_sql} = {oid_sql}"))
        }
        _ => None,
    };
    match typed {
        Some(typed) => format!("{typed} AND {exact}"),
        None => exact,
    }
}

/// The check triggers of one generic foreign key with `db_constraint`.
pub(super) fn check_triggers(
    dialect: Dialect,
    through: &ModelDef,
    gfk: &GenericForeignKeyDef,
    targets: &[&ModelDef],
) -> Vec<Trigger> {
    let q = |s: &str| dialect.quote(s);
    let t = q(&through.table.name);
    let (ct, oid) = (q(&gfk.ct_column), q(&gfk.fk_column));
    let label = format!("{}.{}", through.table.name, gfk.name);
    let lit = |s: &str| string_literal(dialect, s);
    let ct_label = |ct_sql: &str| {
        format!(
            "(SELECT {} FROM {} WHERE {} = {ct_sql})",
            match dialect {
                Dialect::Mysql => format!("CONCAT({}, '.', {})", q("app_label"), q("model")),
                _ => format!("{} || '.' || {}", q("app_label"), q("model")),
            },
            q(content_type::TABLE),
            q("id")
        )
    };
    match dialect {
        Dialect::Postgres => {
            let n_ct = format!("{}.{ct}", q("ct_n"));
            let n_oid = format!("{}.{oid}", q("ct_n"));
            let mut locks = Vec::new();
            let mut exists = Vec::new();
            for target in targets {
                let lookup = target_lookup(dialect, &n_oid, target, through, gfk, "ct_m");
                let tt = q(&target.table.name);
                locks.push(format!(
                    "    PERFORM 1 FROM {tt} {} JOIN {} {} ON {lookup} WHERE {n_ct} = {} FOR KEY SHARE OF {};",
                    q("ct_m"),
                    q("ct_new"),
                    q("ct_n"),
                    content_type_id(dialect, target),
                    q("ct_m")
                ));
                exists.push(format!(
                    "({n_ct} = {} AND EXISTS (SELECT 1 FROM {tt} {} WHERE {lookup}))",
                    content_type_id(dialect, target),
                    q("ct_m")
                ));
            }
            let points = if exists.is_empty() {
                "false".to_string()
            } else {
                exists.join("\n            OR ")
            };
            let function = q(&name(&through.table.name, &gfk.fk_column, "ct_check"));
            let body = format!(
                "DECLARE\n    bad_ct integer;\n    bad_oid text;\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM {}) THEN\n        RETURN NULL;\n    END IF;\n{}\n    SELECT {n_ct}, CAST({n_oid} AS text) INTO bad_ct, bad_oid FROM {} {} WHERE {n_ct} IS NOT NULL AND NOT (\n            {points}\n        ) LIMIT 1;\n    IF FOUND THEN\n        RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = format({}, bad_ct, coalesce({}, 'unknown'), bad_oid);\n    END IF;\n    RETURN NULL;\nEND",
                q("ct_new"),
                locks.join("\n"),
                q("ct_new"),
                q("ct_n"),
                lit(&format!(
                    "contenttypes: {label} points at no row: content type %s (%s), object id %s"
                )),
                ct_label("bad_ct"),
            );
            let mut out = vec![Trigger {
                name: name(&through.table.name, &gfk.fk_column, "ct_check"),
                table: through.table.name.to_string(),
                create: vec![format!(
                    "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $ct$\n{body}\n$ct$;"
                )],
                drop: vec![format!("DROP FUNCTION IF EXISTS {function}();")],
            }];
            for (event, suffix) in [("INSERT", "ct_insert"), ("UPDATE", "ct_update")] {
                let n = name(&through.table.name, &gfk.fk_column, suffix);
                out.push(Trigger {
                    create: vec![format!(
                        "CREATE TRIGGER {} AFTER {event} ON {t} REFERENCING NEW TABLE AS {} FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
                        q(&n),
                        q("ct_new")
                    )],
                    drop: vec![format!("DROP TRIGGER IF EXISTS {} ON {t};", q(&n))],
                    name: n,
                    table: through.table.name.to_string(),
                });
            }
            out
        }
        Dialect::Mysql => {
            let new_oid = format!("NEW.{oid}");
            let mut branches = Vec::new();
            for (i, target) in targets.iter().enumerate() {
                let lookup = target_lookup(dialect, &new_oid, target, through, gfk, "ct_m");
                // The row's content type is read once (by its key); each target is then a
                // comparison of its natural key.
                branches.push(format!(
                    "        {} ct_label = {} THEN\n            SELECT COUNT(*) INTO ct_found FROM {} {} WHERE {lookup} LOCK IN SHARE MODE;",
                    if i == 0 { "IF" } else { "ELSEIF" },
                    lit(&format!("{}.{}", target.app_label, target.model_name)),
                    q(&target.table.name),
                    q("ct_m"),
                ));
            }
            let branches = if branches.is_empty() {
                String::new()
            } else {
                format!("{}\n        END IF;\n", branches.join("\n"))
            };
            [("INSERT", "ct_insert", ""), ("UPDATE", "ct_update", " AND NOT (OLD.{ct} <=> NEW.{ct} AND OLD.{oid} <=> NEW.{oid})")]
                .into_iter()
                .map(|(event, suffix, changed)| {
                    let changed = changed.replace("{ct}", &ct).replace("{oid}", &oid);
                    let n = name(&through.table.name, &gfk.fk_column, suffix);
                    Trigger {
                        create: vec![format!(
                            "CREATE TRIGGER {} BEFORE {event} ON {t} FOR EACH ROW\nBEGIN\n    DECLARE ct_found INT DEFAULT 0;\n    DECLARE ct_label VARCHAR(201);\n    DECLARE ct_message VARCHAR(512);\n    IF NEW.{ct} IS NOT NULL{changed} THEN\n        SET ct_label = {};\n{branches}        IF ct_found = 0 THEN\n            SET ct_message = CONCAT({}, NEW.{ct}, ' (', COALESCE(ct_label, 'unknown'), '), object id ', NEW.{oid});\n            SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = ct_message, MYSQL_ERRNO = 1452;\n        END IF;\n    END IF;\nEND;",
                            q(&n),
                            ct_label(&format!("NEW.{ct}")),
                            lit(&format!("contenttypes: {label} points at no row: content type ")),
                        )],
                        drop: vec![format!("DROP TRIGGER IF EXISTS {};", q(&n))],
                        name: n,
                        table: through.table.name.to_string(),
                    }
                })
                .collect()
        }
        Dialect::Sqlite => {
            let new_oid = format!("NEW.{oid}");
            let mut exists = Vec::new();
            for target in targets {
                let lookup = target_lookup(dialect, &new_oid, target, through, gfk, "ct_m");
                exists.push(format!(
                    "(NEW.{ct} = {} AND EXISTS (SELECT 1 FROM {} {} WHERE {lookup}))",
                    content_type_id(dialect, target),
                    q(&target.table.name),
                    q("ct_m")
                ));
            }
            let points = if exists.is_empty() {
                "0".to_string()
            } else {
                exists.join("\n        OR ")
            };
            [("INSERT", "ct_insert"), (&*format!("UPDATE OF {ct}, {oid}"), "ct_update")]
                .into_iter()
                .map(|(event, suffix)| {
                    let n = name(&through.table.name, &gfk.fk_column, suffix);
                    Trigger {
                        create: vec![format!(
                            "CREATE TRIGGER {} BEFORE {event} ON {t} FOR EACH ROW WHEN NEW.{ct} IS NOT NULL\nBEGIN\n    SELECT RAISE(ABORT, {} || NEW.{ct} || ' (' || COALESCE({}, 'unknown') || '), object id ' || NEW.{oid}) WHERE NOT (\n        {points}\n    );\nEND;",
                            q(&n),
                            lit(&format!("contenttypes: {label} points at no row: content type ")),
                            ct_label(&format!("NEW.{ct}")),
                        )],
                        drop: vec![format!("DROP TRIGGER IF EXISTS {};", q(&n))],
                        name: n,
                        table: through.table.name.to_string(),
                    }
                })
                .collect()
        }
    }
}
