//! The documents of GeoReport v2, one type each, written as JSON (serde_json) or XML (quick-xml's
//! serde writer, under the spec's root and element names).

use serde::Serialize;

/// One service of `services.{fmt}`.
#[derive(Debug, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// `<services>`.
#[derive(Debug, Serialize)]
pub struct Services {
    pub service: Vec<Service>,
}

/// A value an attribute may take.
#[derive(Debug, Serialize)]
pub struct Value {
    pub key: String,
    pub name: String,
}

/// `<values>`.
#[derive(Debug, Serialize)]
pub struct Values {
    pub value: Vec<Value>,
}

/// One attribute of a service definition.
#[derive(Debug, Serialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: String,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// `services/{code}.{fmt}`.
#[derive(Debug, Serialize)]
pub struct Definition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// The answer to `POST requests`.
#[derive(Debug, Serialize)]
pub struct Posted {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// One request of `GET requests` and `requests/{id}`.
#[derive(Debug, Serialize)]
pub struct Request {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: Option<String>,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: f64,
    pub long: f64,
    pub media_url: Option<String>,
}

/// One answer of `tokens/{token}`.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    pub service_request_id: String,
    pub token: String,
}

/// `<service_requests>` of any of the request documents.
#[derive(Debug, Serialize)]
pub struct ServiceRequests<T> {
    pub request: Vec<T>,
}

/// One error.
#[derive(Debug, Serialize)]
pub struct ApiErr {
    pub code: u16,
    pub description: String,
}

/// `<errors>`.
#[derive(Debug, Serialize)]
pub struct Errors {
    pub error: Vec<ApiErr>,
}

/// `<service_definition>`: the attributes inside an `<attributes>` element.
#[derive(Debug, Serialize)]
pub struct XmlDefinition<'a> {
    pub service_code: &'a str,
    pub attributes: XmlAttributes<'a>,
}

#[derive(Debug, Serialize)]
pub struct XmlAttributes<'a> {
    pub attribute: Vec<XmlAttribute<'a>>,
}

/// An attribute in XML: its values inside a `<values>` element.
#[derive(Debug, Serialize)]
pub struct XmlAttribute<'a> {
    pub variable: bool,
    pub code: &'a str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: &'a str,
    pub order: u32,
    pub description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Values>,
}

impl Definition {
    /// The XML shape of the definition.
    pub fn xml(&self) -> XmlDefinition<'_> {
        XmlDefinition {
            service_code: &self.service_code,
            attributes: XmlAttributes {
                attribute: self
                    .attributes
                    .iter()
                    .map(|a| XmlAttribute {
                        variable: a.variable,
                        code: &a.code,
                        datatype: a.datatype,
                        required: a.required,
                        datatype_description: &a.datatype_description,
                        order: a.order,
                        description: &a.description,
                        values: a.values.as_ref().map(|v| Values {
                            value: v
                                .iter()
                                .map(|x| Value {
                                    key: x.key.clone(),
                                    name: x.name.clone(),
                                })
                                .collect(),
                        }),
                    })
                    .collect(),
            },
        }
    }
}

/// An XML document: the declaration and `value` under `root`.
pub fn xml<T: Serialize>(root: &str, value: &T) -> Result<String, quick_xml::SeError> {
    let body = quick_xml::se::to_string_with_root(root, value)?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}"
    ))
}
