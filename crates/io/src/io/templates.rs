//! Import templates: for every dataset a CSV file and an XLSX workbook with the Chinese column
//! names the importer understands and one example row, for an office to fill in.
//!
//! * Headers are Chinese aliases of the fields ([`super::fields`]); a required column ends in
//!   `*`, which the importer ignores when it matches headers (`街道编码*` is `code`).
//! * The example row is valid in the sample district (黄岩区, 331003) with its streets,
//!   communities and grids loaded, and the rows build on each other: the duty grid lists the
//!   example grid (import the grid template first), the component and the case lie in it.
//!   Delete the example row before filling in real data.
//! * CSV: UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly.
//! * XLSX: a bold, frozen header row with a note on every header, code columns formatted as
//!   text (Excel would otherwise turn `331003001001001` into `3.31003E+14`), dates as date
//!   cells, and a second sheet `说明` describing every column.
//!
//! The holiday calendar (`griddesk calendar import`) has a CSV template too
//! ([`write_calendar_template`]); its reader knows English headers only, and CSV only.

use super::fields::{self, Field};
use super::Dataset;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use serde::Serialize;
use std::path::Path;

/// The file type of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum TemplateFormat {
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// XLSX workbook: the template sheet and a `说明` sheet.
    Xlsx,
}

impl TemplateFormat {
    /// `csv` or `xlsx`.
    pub fn extension(self) -> &'static str {
        match self {
            TemplateFormat::Csv => "csv",
            TemplateFormat::Xlsx => "xlsx",
        }
    }

    /// The format for a path's extension (`.csv`, `.xlsx`, any case).
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(TemplateFormat::Csv),
            "xlsx" => Some(TemplateFormat::Xlsx),
            _ => None,
        }
    }
}

/// An example value, typed as the XLSX cell is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Example {
    /// A code: digits kept as text.
    Code(&'static str),
    Text(&'static str),
    Number(f64),
    /// `YYYY-MM-DD`, a date cell in XLSX.
    Date(&'static str),
    /// `YYYY-MM-DD HH:MM:SS`, a date-time cell in XLSX.
    DateTime(&'static str),
    /// Nothing (an optional column left empty).
    Empty,
}

impl Example {
    fn text(self) -> String {
        match self {
            Example::Code(s) | Example::Text(s) | Example::Date(s) | Example::DateTime(s) => {
                s.to_string()
            }
            Example::Number(x) => x.to_string(),
            Example::Empty => String::new(),
        }
    }
}

/// One column of a template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemplateColumn {
    /// The Chinese header, without the `*` that marks a required column.
    pub header: &'static str,
    /// The field it gives (`code`, `name`, `wkt`…).
    pub field: &'static Field,
    pub required: bool,
    /// What to write, in Chinese: format and allowed values.
    pub note: &'static str,
    pub example: Example,
}

const fn col(
    header: &'static str,
    field: &'static Field,
    required: bool,
    note: &'static str,
    example: Example,
) -> TemplateColumn {
    TemplateColumn {
        header,
        field,
        required,
        note,
        example,
    }
}

use Example::{Code, Date, DateTime, Number, Text};

/// WKT of the example street, community and grid: small squares in 永宁社区 (331003001001).
const STREET_WKT: &str =
    "POLYGON((121.231 28.647,121.234 28.647,121.234 28.650,121.231 28.650,121.231 28.647))";
const COMMUNITY_WKT: &str =
    "POLYGON((121.232 28.648,121.233 28.648,121.233 28.649,121.232 28.649,121.232 28.648))";
const GRID_WKT: &str = "POLYGON((121.2322 28.6482,121.2328 28.6482,121.2328 28.6488,121.2322 28.6488,121.2322 28.6482))";

const WKT_NOTE: &str =
    "边界多边形，WKT 文本，经纬度（CGCS2000/WGS84，经度在前），POLYGON 或 MULTIPOLYGON，环须闭合";
const LON_NOTE: &str = "经度，十进制度（CGCS2000/WGS84），如 121.2325";
const LAT_NOTE: &str = "纬度，十进制度（CGCS2000/WGS84），如 28.6485";

const STREETS: &[TemplateColumn] = &[
    col(
        "街道编码",
        &fields::STREET_CODE,
        true,
        "9 位数字：区县代码 6 位 + 街道（乡镇）3 位，须属本区县",
        Code("331003009"),
    ),
    col(
        "街道名称",
        &fields::STREET_NAME,
        true,
        "街道（乡镇）名称",
        Text("示例街道"),
    ),
    col("边界WKT", &fields::WKT, true, WKT_NOTE, Text(STREET_WKT)),
];

const COMMUNITIES: &[TemplateColumn] = &[
    col(
        "社区编码",
        &fields::COMMUNITY_CODE,
        true,
        "12 位数字：街道编码 9 位 + 社区（村）3 位，街道须已导入",
        Code("331003001006"),
    ),
    col(
        "社区名称",
        &fields::COMMUNITY_NAME,
        true,
        "社区（村）名称",
        Text("示例社区"),
    ),
    col("边界WKT", &fields::WKT, true, WKT_NOTE, Text(COMMUNITY_WKT)),
];

const GRIDS: &[TemplateColumn] = &[
    col(
        "网格编码",
        &fields::GRID_CODE,
        true,
        "15 位数字：社区编码 12 位 + 网格 3 位（14 位旧码自动升级），社区须已导入",
        Code("331003001001901"),
    ),
    col(
        "网格名称",
        &fields::NAME,
        false,
        "单元网格名称",
        Text("示例网格"),
    ),
    col(
        "用地类别",
        &fields::LAND_USE,
        false,
        "如 居住、商业、工业、道路广场",
        Text("居住"),
    ),
    col(
        "管理等级",
        &fields::LEVEL,
        false,
        "如 一类区域、二类区域",
        Text("二类区域"),
    ),
    col(
        "开始日期",
        &fields::START_DATE,
        true,
        "启用日期，YYYY-MM-DD（也可用 Excel 日期单元格）",
        Date("2026-01-01"),
    ),
    col(
        "结束日期",
        &fields::END_DATE,
        false,
        "停用日期，YYYY-MM-DD；在用网格留空",
        Example::Empty,
    ),
    col(
        "边界WKT",
        &fields::WKT,
        true,
        "网格多边形，WKT 文本，经纬度，单个 POLYGON，须位于所属社区内",
        Text(GRID_WKT),
    ),
];

const DUTY_GRIDS: &[TemplateColumn] = &[
    col(
        "责任网格编码",
        &fields::DUTY_CODE,
        true,
        "责任网格编码，本区县内唯一",
        Code("33100300100190"),
    ),
    col(
        "责任网格名称",
        &fields::NAME,
        true,
        "责任网格名称",
        Text("示例责任网格"),
    ),
    col(
        "监督员",
        &fields::INSPECTOR,
        true,
        "负责的监督员（信息采集员）姓名",
        Text("张三"),
    ),
    col(
        "单元网格",
        &fields::MEMBERS,
        true,
        "所含单元网格编码，多个用分号“;”分隔；网格须已导入且未属其他责任网格",
        Code("331003001001901"),
    ),
];

const COMPONENTS: &[TemplateColumn] = &[
    col(
        "部件标识码",
        &fields::COMPONENT_CODE,
        true,
        "16 位数字：区县代码 6 位 + 小类代码 4 位 + 流水号 6 位（CJ/T 214）",
        Code("3310030101900001"),
    ),
    col(
        "类别代码",
        &fields::CLASS_CODE,
        false,
        "小类代码 4 位，须与标识码第 7–10 位一致；可留空",
        Code("0101"),
    ),
    col(
        "权属单位",
        &fields::OWNER,
        false,
        "权属单位名称",
        Text("黄岩区自来水公司"),
    ),
    col(
        "养护单位",
        &fields::MAINTAINER,
        false,
        "养护单位名称",
        Text("黄岩区自来水公司"),
    ),
    col(
        "部件状态",
        &fields::STATE,
        false,
        "完好、破损、丢失或占用；留空为完好",
        Text("完好"),
    ),
    col("经度", &fields::LON, true, LON_NOTE, Number(121.2325)),
    col("纬度", &fields::LAT, true, LAT_NOTE, Number(28.6485)),
];

const CASES: &[TemplateColumn] = &[
    col("任务号", &fields::CASE_ID, true, "案件编号，唯一", Code("2026-9000001")),
    col("案件类型", &fields::KIND, true, "事件 或 部件", Text("事件")),
    col("类别代码", &fields::CLASS_CODE, true, "小类代码 4 位，须在事件或部件代码表中", Code("0101")),
    col("部件标识码", &fields::COMPONENT, false, "部件案件的部件标识码（16 位）；事件留空", Example::Empty),
    col("案件来源", &fields::SOURCE, true, "监督员上报、12319热线、12345热线、公众举报、扫码上报、视频AI、媒体曝光、领导交办、物联感知、其他", Text("监督员上报")),
    col("上报时间", &fields::REPORTED_AT, true, "YYYY-MM-DD HH:MM:SS（也可用 Excel 日期时间单元格）", DateTime("2026-03-02 09:30:00")),
    col("案件状态", &fields::STATUS, false, "如 已上报、已立案、处置中、已结案；留空为已上报", Text("已上报")),
    col("问题描述", &fields::DESCRIPTION, false, "问题描述", Text("示例：人行道上私搭乱建")),
    col("经度", &fields::LON, true, LON_NOTE, Number(121.2325)),
    col("纬度", &fields::LAT, true, LAT_NOTE, Number(28.6485)),
];

/// The columns of a dataset's template, in order.
pub fn template_columns(dataset: Dataset) -> &'static [TemplateColumn] {
    match dataset {
        Dataset::Streets => STREETS,
        Dataset::Communities => COMMUNITIES,
        Dataset::Grids => GRIDS,
        Dataset::DutyGrids => DUTY_GRIDS,
        Dataset::Components => COMPONENTS,
        Dataset::Cases => CASES,
    }
}

/// A template's header cell: the Chinese name, with `*` when the column is required.
pub fn template_header(c: &TemplateColumn) -> String {
    if c.required {
        format!("{}*", c.header)
    } else {
        c.header.to_string()
    }
}

/// The Chinese name of a dataset, for sheet names.
fn title(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::Streets => "街道",
        Dataset::Communities => "社区",
        Dataset::Grids => "单元网格",
        Dataset::DutyGrids => "责任网格",
        Dataset::Components => "部件",
        Dataset::Cases => "案件",
    }
}

/// Writes the import template of `dataset` to `path` (see the module docs). The file is
/// written next to `path` and renamed into place.
///
/// Errors: [`Error::Io`] when the file cannot be written, [`Error::Invalid`] when the
/// workbook cannot be made.
pub fn write_template(dataset: Dataset, format: TemplateFormat, path: &Path) -> Result<()> {
    let columns = template_columns(dataset);
    match format {
        TemplateFormat::Csv => {
            let header: Vec<String> = columns.iter().map(template_header).collect();
            let example: Vec<String> = columns.iter().map(|c| c.example.text()).collect();
            write_csv(path, &[header, example])
        }
        TemplateFormat::Xlsx => write_xlsx(dataset, columns, path),
    }
}

/// Writes the holiday calendar's template (`griddesk calendar import`): `date,kind,festival`
/// (the names that reader knows) and one example row, UTF-8 with a byte-order mark.
pub fn write_calendar_template(path: &Path) -> Result<()> {
    let rows = [
        vec!["date".to_string(), "kind".into(), "festival".into()],
        vec!["2026-10-01".to_string(), "holiday".into(), "国庆节".into()],
    ];
    write_csv(path, &rows)
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in rows {
        w.write_record(r).map_err(|e| csv_err(path, e))?;
    }
    let bytes = w.into_inner().map_err(|e| csv_err(path, e.into_error()))?;
    super::atomic_write(path, &bytes)
}

fn csv_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Invalid(
        Message::new(C::ExportWriteFailed).en(format!("{}: cannot write CSV: {e}", path.display())),
    )
}

fn xlsx_err(path: &Path, e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Invalid(
        Message::new(C::ExportWriteFailed)
            .en(format!("{}: cannot write XLSX: {e}", path.display())),
    )
}

/// The header row's cell format of the workbooks GridDesk writes: bold on light blue, a thin
/// line under it.
pub(crate) fn header_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin)
}

fn write_xlsx(dataset: Dataset, columns: &[TemplateColumn], path: &Path) -> Result<()> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Note, Workbook};
    let err = |e| xlsx_err(path, e);
    let mut wb = Workbook::new();
    let bold = header_format();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");

    let ws = wb.add_worksheet();
    ws.set_name(title(dataset)).map_err(err)?;
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| Error::Internal("too many columns".into()))?;
        let header = template_header(c);
        ws.write_string_with_format(0, col, &header, &bold)
            .map_err(err)?;
        let required = if c.required { "必填" } else { "选填" };
        let note = Note::new(format!("{required}。{}", c.note))
            .add_author_prefix(false)
            .set_width(320);
        ws.insert_note(0, col, &note).map_err(err)?;
        let width = match c.example {
            Text(s) if s.len() > 60 => 60.0,
            _ => 8.0 + 2.2 * c.header.chars().count() as f64,
        };
        ws.set_column_width(col, width.max(14.0)).map_err(err)?;
        match c.example {
            Code(s) => {
                ws.set_column_format(col, &text).map_err(err)?;
                ws.write_string_with_format(1, col, s, &text).map_err(err)?;
            }
            Text(s) => {
                ws.write_string(1, col, s).map_err(err)?;
            }
            Number(x) => {
                ws.write_number(1, col, x).map_err(err)?;
            }
            Date(s) => {
                let d = ExcelDateTime::parse_from_str(s).map_err(err)?;
                ws.set_column_format(col, &date).map_err(err)?;
                ws.write_datetime_with_format(1, col, &d, &date)
                    .map_err(err)?;
            }
            DateTime(s) => {
                let d = ExcelDateTime::parse_from_str(s).map_err(err)?;
                ws.set_column_format(col, &datetime).map_err(err)?;
                ws.write_datetime_with_format(1, col, &d, &datetime)
                    .map_err(err)?;
            }
            Example::Empty => {}
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;

    let help = wb.add_worksheet();
    help.set_name("说明").map_err(err)?;
    for (i, h) in ["列名", "字段", "是否必填", "格式与取值", "示例"]
        .iter()
        .enumerate()
    {
        let col = u16::try_from(i).map_err(|_| Error::Internal("too many columns".into()))?;
        help.write_string_with_format(0, col, *h, &bold)
            .map_err(err)?;
    }
    for (i, c) in columns.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| Error::Internal("too many rows".into()))?;
        help.write_string(row, 0, template_header(c)).map_err(err)?;
        help.write_string(row, 1, c.field.name).map_err(err)?;
        help.write_string(row, 2, if c.required { "必填" } else { "选填" })
            .map_err(err)?;
        help.write_string(row, 3, c.note).map_err(err)?;
        help.write_string(row, 4, c.example.text()).map_err(err)?;
    }
    let last =
        u32::try_from(columns.len() + 2).map_err(|_| Error::Internal("too many rows".into()))?;
    help.write_string(
        last,
        0,
        "说明：表头带 * 的列必填；第 2 行为示例（在黄岩区示例数据中有效），填写前请删除。编码列请保持文本格式。各列别名（英文字段名等）亦可识别。",
    )
    .map_err(err)?;
    for (col, w) in [(0u16, 16.0), (1, 14.0), (2, 10.0), (3, 70.0), (4, 40.0)] {
        help.set_column_width(col, w).map_err(err)?;
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    super::atomic_write(path, &bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::code::DistrictCode;
    use crate::codetable::CodeTables;
    use crate::index::SpatialIndex;
    use crate::io::records::{read_source, Records, Source};
    use crate::io::Format;
    use crate::model::{Community, District, DutyGrid, Grid, Snapshot, Street};
    use std::path::PathBuf;

    fn resources() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
    }

    /// The sample district's areas (no components or cases), as a store would hold them.
    #[derive(Default)]
    pub(crate) struct Model {
        pub district: Option<District>,
        pub streets: Vec<Street>,
        pub communities: Vec<Community>,
        pub grids: Vec<Grid>,
        pub duty_grids: Vec<DutyGrid>,
    }

    impl Model {
        pub(crate) fn index(&self) -> SpatialIndex {
            SpatialIndex::build(Snapshot {
                district: self.district.clone(),
                streets: self.streets.clone(),
                communities: self.communities.clone(),
                grids: self.grids.clone(),
                duty_grids: self.duty_grids.clone(),
                code_tables: CodeTables::load_dir(&resources().join("codes")).expect("code tables"),
                ..Default::default()
            })
        }

        pub(crate) fn add(&mut self, r: Records) {
            match r {
                Records::Streets(v) => self.streets.extend(v),
                Records::Communities(v) => self.communities.extend(v),
                Records::Grids(v) => self.grids.extend(v),
                Records::DutyGrids(v) => self.duty_grids.extend(v),
                Records::Components(_) | Records::Cases(_) => {}
            }
        }

        /// The district outline only.
        pub(crate) fn district() -> Model {
            let code = DistrictCode::parse("331003").expect("code");
            let d =
                crate::io::read_district(&resources().join("geo/taizhou_districts.geojson"), code)
                    .expect("district");
            Model {
                district: Some(d),
                ..Default::default()
            }
        }

        /// The district with the sample's streets, communities, grids and duty grids.
        pub(crate) fn sample() -> Model {
            let mut m = Model::district();
            for (dataset, file) in [
                (Dataset::Streets, "streets.geojson"),
                (Dataset::Communities, "communities.geojson"),
                (Dataset::Grids, "grids.geojson"),
                (Dataset::DutyGrids, "duty_grids.csv"),
            ] {
                let p = m.read(&resources().join("sample").join(file), dataset);
                assert!(p.rejects.is_empty(), "{file}: {:?}", p.rejects);
                m.add(p.records);
            }
            m
        }

        pub(crate) fn read(&self, path: &Path, dataset: Dataset) -> crate::io::Parsed {
            let format = Format::from_path(path).expect("format");
            read_source(
                &path.display().to_string(),
                &Source::File(path, format, None),
                dataset,
                &self.index(),
            )
        }
    }

    #[test]
    fn every_header_names_its_field_and_required_columns_are_starred() {
        for d in Dataset::ALL {
            for c in template_columns(d) {
                let h = template_header(c);
                assert!(c.field.matches(&h), "{d}: `{h}` is not {}", c.field.name);
                assert_eq!(h.ends_with('*'), c.required, "{d}: {h}");
            }
        }
    }

    /// Every template, CSV and XLSX, read into the sample district: its example row is valid,
    /// and both files give the same record. The rows build on each other (the duty grid lists
    /// the example grid), so each dataset's record joins the model before the next one.
    #[test]
    fn every_template_is_valid_in_the_sample_district() {
        let dir = tempfile::tempdir().expect("dir");
        let mut model = Model::sample();
        for dataset in Dataset::ALL {
            let mut first: Option<Records> = None;
            for format in [TemplateFormat::Csv, TemplateFormat::Xlsx] {
                let path = dir
                    .path()
                    .join(format!("{}.{}", dataset.key(), format.extension()));
                write_template(dataset, format, &path).expect("template");
                let p = model.read(&path, dataset);
                let rejects: Vec<String> = p.rejects.iter().map(|r| r.to_string()).collect();
                assert!(rejects.is_empty(), "{dataset} {format:?}: {rejects:#?}");
                assert_eq!(p.records.len(), 1, "{dataset} {format:?}");
                if let Some(f) = &first {
                    assert_eq!(f, &p.records, "{dataset}: CSV and XLSX differ");
                }
                first = Some(p.records);
            }
            if let Some(r) = first {
                model.add(r);
            }
        }
        let csv = std::fs::read(dir.path().join("streets.csv")).expect("csv");
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV starts with a BOM");
        let text = String::from_utf8_lossy(&csv[3..]).into_owned();
        assert!(
            text.starts_with("街道编码*,街道名称*,边界WKT*\r\n"),
            "{text}"
        );
    }

    #[test]
    fn the_calendar_template_reads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("calendar.csv");
        write_calendar_template(&path).expect("template");
        let text = std::fs::read_to_string(&path).expect("read");
        let days =
            crate::clock::calendar::parse_calendar_csv("calendar.csv", &text).expect("calendar");
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].kind, crate::clock::DayKind::Holiday);
        assert_eq!(days[0].note, "国庆节");
    }
}
