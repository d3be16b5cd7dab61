//! Reads an OpenAPI 3 document (JSON or YAML) as [`ResourceSpec`]s: each operation becomes an
//! interface resource (`GET /lab/results/{id}`), its parameters, request body and response
//! properties its fields (`query.patientId`, `body.name`, `response.value`).
//!
//! A field's standard data element is its `x-standard-element`, or an identifier in its
//! description; its unit is `x-unit`; an `enum` is its value domain.

use serde_json::Value;

use pallet_data_sources::Operation;

use crate::catalog::Error as CatalogError;
use crate::{
	catalog::spec::{find_element_id, ItemSpec, KindSpec, ResourceSpec, ValueDomainSpec},
	Error, Result,
};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// Parses the document at `path` (`.json`, or else YAML).
pub fn read_file(path: &std::path::Path, operations: &[Operation]) -> Result<Vec<ResourceSpec>> {
	let document = path.display().to_string();
	let bad = |reason: String| CatalogError::Document { document: document.clone(), reason };
	let text = crate::files::read_text(path)?;
	let parsed: Value = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
		serde_json::from_str(&text).map_err(|e| bad(format!("is not valid JSON: {e}")))?
	} else {
		yaml_to_json(
			serde_yaml::from_str(&text).map_err(|e| bad(format!("is not valid YAML: {e}")))?,
		)
	};
	read(&parsed, operations).map_err(|e| match e {
		Error::Catalog(CatalogError::Document { reason, .. }) => bad(reason).into(),
		other => other,
	})
}

/// A YAML value as JSON; map keys that YAML reads as numbers (`200:`) become strings.
pub fn yaml_to_json(value: serde_yaml::Value) -> Value {
	use serde_yaml::Value as Y;
	match value {
		Y::Null => Value::Null,
		Y::Bool(b) => Value::Bool(b),
		Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
		Y::String(s) => Value::String(s),
		Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
		Y::Mapping(map) => Value::Object(
			map.into_iter()
				.map(|(k, v)| {
					let key = match k {
						Y::String(s) => s,
						other => {
							serde_yaml::to_string(&other).unwrap_or_default().trim().to_string()
						}
					};
					(key, yaml_to_json(v))
				})
				.collect(),
		),
		Y::Tagged(tagged) => yaml_to_json(tagged.value),
	}
}

/// Reads a parsed OpenAPI 3 document.
pub fn read(document: &Value, operations: &[Operation]) -> Result<Vec<ResourceSpec>> {
	let bad = |reason: String| -> Error {
		CatalogError::Document { document: "the OpenAPI document".into(), reason }.into()
	};
	let version = document
		.get("openapi")
		.and_then(Value::as_str)
		.ok_or_else(|| bad("not an OpenAPI 3 document (no `openapi` version field)".into()))?;
	if !version.starts_with('3') {
		return Err(bad(format!("OpenAPI {version} is not supported; convert it to OpenAPI 3")));
	}
	let paths = document
		.get("paths")
		.and_then(Value::as_object)
		.ok_or_else(|| bad("the document has no `paths` object".into()))?;
	let address =
		document.pointer("/servers/0/url").and_then(Value::as_str).unwrap_or_default().to_string();
	let mut specs = Vec::new();
	for (path, item) in paths {
		let item =
			item.as_object().ok_or_else(|| bad(format!("path `{path}` is not an object")))?;
		let shared: Vec<Value> =
			item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
		for method in METHODS {
			let Some(operation) = item.get(method) else { continue };
			let upper = method.to_ascii_uppercase();
			let name = format!("{upper} {path}");
			let items = operation_items(document, operation, &shared)
				.map_err(|e| bad(format!("{name}: {e}")))?;
			specs.push(ResourceSpec {
				name,
				kind: KindSpec::Interface {
					protocol: "HTTP".into(),
					method: upper,
					path: path.clone(),
				},
				address: address.clone(),
				operations: operations.to_vec(),
				items,
			});
		}
	}
	if specs.is_empty() {
		return Err(bad("the document has no operations".into()));
	}
	Ok(specs)
}

/// Follows a local `$ref` (`#/components/schemas/X`), once or more.
fn resolve<'a>(
	document: &'a Value,
	mut value: &'a Value,
) -> std::result::Result<&'a Value, String> {
	for _ in 0..16 {
		let Some(reference) = value.get("$ref").and_then(Value::as_str) else { return Ok(value) };
		let pointer = reference
			.strip_prefix('#')
			.ok_or_else(|| format!("only local references are supported, not `{reference}`"))?;
		value = document
			.pointer(pointer)
			.ok_or_else(|| format!("the reference `{reference}` points to nothing"))?;
	}
	Err("references nest too deep".into())
}

fn operation_items(
	document: &Value,
	operation: &Value,
	shared: &[Value],
) -> std::result::Result<Vec<ItemSpec>, String> {
	let mut items = Vec::new();
	let own = operation.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
	for parameter in shared.iter().chain(own.iter()) {
		let parameter = resolve(document, parameter)?;
		let name =
			parameter.get("name").and_then(Value::as_str).ok_or("a parameter without a name")?;
		let place = parameter.get("in").and_then(Value::as_str).unwrap_or("query");
		let schema = match parameter.get("schema") {
			Some(s) => resolve(document, s)?.clone(),
			None => Value::Null,
		};
		let required = parameter.get("required").and_then(Value::as_bool).unwrap_or(false);
		let description = parameter.get("description").or_else(|| schema.get("description"));
		items.push(item(format!("{place}.{name}"), &schema, required, description, parameter));
	}
	if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") {
		properties(document, resolve(document, schema)?, "body", &mut items)?;
	}
	if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
		let success =
			responses.iter().filter(|(code, _)| code.starts_with('2')).find_map(|(_, r)| {
				resolve(document, r).ok()?.pointer("/content/application~1json/schema")
			});
		if let Some(schema) = success {
			let mut schema = resolve(document, schema)?;
			if schema.get("type").and_then(Value::as_str) == Some("array") {
				if let Some(inner) = schema.get("items") {
					schema = resolve(document, inner)?;
				}
			}
			properties(document, schema, "response", &mut items)?;
		}
	}
	Ok(items)
}

fn properties(
	document: &Value,
	schema: &Value,
	prefix: &str,
	items: &mut Vec<ItemSpec>,
) -> std::result::Result<(), String> {
	let required: Vec<&str> = schema
		.get("required")
		.and_then(Value::as_array)
		.map(|r| r.iter().filter_map(Value::as_str).collect())
		.unwrap_or_default();
	let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
		return Ok(());
	};
	for (name, property) in properties {
		let property = resolve(document, property)?;
		items.push(item(
			format!("{prefix}.{name}"),
			property,
			required.contains(&name.as_str()),
			property.get("description"),
			property,
		));
	}
	Ok(())
}

fn item(
	name: String,
	schema: &Value,
	required: bool,
	description: Option<&Value>,
	extensions: &Value,
) -> ItemSpec {
	let definition = description.and_then(Value::as_str).unwrap_or_default().to_string();
	let base = schema.get("type").and_then(Value::as_str).unwrap_or("object");
	let data_type = match schema.get("format").and_then(Value::as_str) {
		Some(format) => format!("{base}({format})"),
		None => base.to_string(),
	};
	let text = |v: &Value| match v {
		Value::String(s) => s.clone(),
		other => other.to_string(),
	};
	ItemSpec {
		name,
		data_type,
		length: schema.get("maxLength").and_then(Value::as_u64).map(|n| n as u32),
		precision: None,
		scale: None,
		nullable: !required || schema.get("nullable").and_then(Value::as_bool).unwrap_or(false),
		value_domain: schema
			.get("enum")
			.and_then(Value::as_array)
			.map(|values| ValueDomainSpec::Enumerated(values.iter().map(text).collect())),
		unit: extensions.get("x-unit").and_then(Value::as_str).map(str::to_string),
		standard_element: extensions
			.get("x-standard-element")
			.and_then(Value::as_str)
			.map(str::to_string)
			.or_else(|| find_element_id(&definition)),
		definition,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const SPEC: &str = r##"
openapi: 3.0.3
info: { title: LIS, version: "1.0" }
servers: [{ url: "https://lis.example.cn/api" }]
paths:
  /lab/results/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string, maxLength: 32 }, description: 检验报告单号 }
    get:
      parameters:
        - { name: detail, in: query, schema: { type: boolean } }
      responses:
        200:
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Result" }
  /lab/orders:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [patientName]
              properties:
                patientName: { type: string, description: 患者姓名 DE02.01.039.00 }
                sex: { type: string, enum: [男, 女] }
      responses:
        "201": { description: created }
components:
  schemas:
    Result:
      type: object
      required: [value]
      properties:
        value: { type: number, format: double, x-unit: mmol/L, description: 结果值 }
        item: { type: string, x-standard-element: DE04.50.001.00 }
"##;

	fn parse(text: &str) -> Result<Vec<ResourceSpec>> {
		let document = yaml_to_json(serde_yaml::from_str(text).expect("YAML"));
		read(&document, &[Operation::Share])
	}

	#[test]
	fn operations_become_interfaces_with_their_fields() {
		let specs = parse(SPEC).expect("valid");
		let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
		// Paths in order of their names, operations in method order.
		assert_eq!(names, ["POST /lab/orders", "GET /lab/results/{id}"]);
		let get = &specs[1];
		assert_eq!(get.address, "https://lis.example.cn/api");
		let fields: Vec<&str> = get.items.iter().map(|i| i.name.as_str()).collect();
		assert_eq!(fields, ["path.id", "query.detail", "response.item", "response.value"]);
		assert_eq!(get.items[0].length, Some(32));
		assert!(!get.items[0].nullable);
		assert_eq!(get.items[0].definition, "检验报告单号");
		assert_eq!(get.items[2].standard_element.as_deref(), Some("DE04.50.001.00"));
		assert_eq!(get.items[3].data_type, "number(double)");
		assert_eq!(get.items[3].unit.as_deref(), Some("mmol/L"));
		let post = &specs[0];
		assert_eq!(post.items[0].name, "body.patientName");
		assert_eq!(post.items[0].standard_element.as_deref(), Some("DE02.01.039.00"));
		assert!(post.items[1].nullable);
		assert!(matches!(post.items[1].value_domain, Some(ValueDomainSpec::Enumerated(_))));
	}

	#[test]
	fn malformed_documents_are_refused_with_a_reason() {
		let e = parse("info: {title: x}").unwrap_err().to_string();
		assert!(e.contains("not an OpenAPI 3 document"), "{e}");
		let e = parse("swagger: '2.0'\nopenapi: '2.0'").unwrap_err().to_string();
		assert!(e.contains("not supported"), "{e}");
		let e = parse("openapi: 3.0.0").unwrap_err().to_string();
		assert!(e.contains("no `paths`"), "{e}");
		let e = parse("openapi: 3.0.0\npaths: {}").unwrap_err().to_string();
		assert!(e.contains("no operations"), "{e}");
		let broken = "openapi: 3.0.0\npaths:\n  /x:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/Nope'\n";
		let e = parse(broken).unwrap_err().to_string();
		assert!(e.contains("points to nothing"), "{e}");
	}
}
