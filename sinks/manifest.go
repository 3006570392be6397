package sinks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// ManifestName is the file name of a release's descriptor.
const ManifestName = "datapackage.json"

// Profile is the Data Package profile a manifest declares.
const Profile = "https://datapackage.org/profiles/2.0/datapackage.json"

// Output is one written table in one format: a single file, or one file
// per partition (Files) when the table is partitioned.
type Output struct {
	Table       string
	Format      string
	Path        string // relative to the manifest's folder; the table's folder when partitioned
	Rows        int64
	Bytes       int64
	SHA256      string // empty when partitioned: each file has its own
	Description string
	Schema      *arrow.Schema // the table's full schema, partition columns included
	PrimaryKey  []string
	ForeignKeys []ForeignKey
	PartitionBy []string   // columns moved from the files into folder names
	Files       []PartFile // the partition files, in path order
}

// PartFile is one file of a partitioned table.
type PartFile struct {
	Path   string // relative to the manifest's folder, with forward slashes
	Rows   int64
	Bytes  int64
	SHA256 string
}

// ForeignKey says that Fields of a table name a row of Table by its
// TableFields, in the same format's resource.
type ForeignKey struct {
	Fields      []string
	Table       string
	TableFields []string
}

// SourceFile is one input of a run, with the accounting of its rows:
// Rows = HeaderRows + PreambleRows + BlankRows + DataRows, and
// DataRows = UsedRows + RejectedRows.
type SourceFile struct {
	Path         string // as the spec names it
	SHA256       string
	Bytes        int64
	Rows         int
	HeaderRows   int
	PreambleRows int
	BlankRows    int
	DataRows     int
	UsedRows     int
	RejectedRows int
}

// Package is what a manifest describes.
type Package struct {
	Name      string
	Title     string
	Created   string // RFC 3339; empty leaves it out (no wall-clock time unless given)
	Sources   []SourceFile
	Resources []Output
	Run       RunRecord
}

// RunRecord is what a release keeps about the run that made it: enough to
// tell whether a new run would write the same bytes (Fingerprint), and the
// writer settings a reader may want to know.
type RunRecord struct {
	Version     string           `json:"version"`
	Spec        string           `json:"spec,omitempty"`
	SpecHash    string           `json:"specHash,omitempty"`
	Fingerprint string           `json:"fingerprint"`
	Formats     []string         `json:"formats"`
	PartitionBy []string         `json:"partitionBy,omitempty"`
	Writers     Writers          `json:"writers"`
	Rows        map[string]int64 `json:"rows"`
	Findings    map[string]int   `json:"findings"`   // by code
	Severities  map[string]int   `json:"severities"` // findings by severity
}

// The JSON shapes of a Frictionless Data Package (v2) descriptor, as tally
// writes and reads them. Properties of tally's own carry the "tally:"
// prefix the standard recommends for custom properties.
type (
	// Descriptor is a datapackage.json.
	Descriptor struct {
		Schema    string     `json:"$schema"`
		Name      string     `json:"name"`
		Title     string     `json:"title,omitempty"`
		Created   string     `json:"created,omitempty"`
		Resources []Resource `json:"resources"`
		Sources   []Source   `json:"sources,omitempty"`
		Run       RunRecord  `json:"tally:run"`
	}
	// Resource is one table in one format.
	Resource struct {
		Name        string       `json:"name"`
		Type        string       `json:"type"`
		Path        Paths        `json:"path"`
		Format      string       `json:"format"`
		MediaType   string       `json:"mediatype"`
		Encoding    string       `json:"encoding,omitempty"`
		Bytes       int64        `json:"bytes"`
		Hash        string       `json:"hash,omitempty"`
		Description string       `json:"description,omitempty"`
		Schema      TableSchema  `json:"schema"`
		Table       string       `json:"tally:table"`
		Rows        int64        `json:"tally:rows"`
		PartitionBy []string     `json:"tally:partitionBy,omitempty"`
		Files       []FileRecord `json:"tally:files,omitempty"`
	}
	// FileRecord is one file of a partitioned resource.
	FileRecord struct {
		Path  string `json:"path"`
		Bytes int64  `json:"bytes"`
		Hash  string `json:"hash"`
		Rows  int64  `json:"rows"`
	}
	// TableSchema is a Table Schema descriptor.
	TableSchema struct {
		Fields      []Field      `json:"fields"`
		PrimaryKey  []string     `json:"primaryKey,omitempty"`
		ForeignKeys []ForeignRef `json:"foreignKeys,omitempty"`
	}
	// Field is one column.
	Field struct {
		Name        string       `json:"name"`
		Type        string       `json:"type"`
		Description string       `json:"description,omitempty"`
		Constraints *Constraints `json:"constraints,omitempty"`
	}
	// Constraints of a field; tally states only whether it may be null.
	Constraints struct {
		Required bool `json:"required"`
	}
	// ForeignRef is a Table Schema foreign key.
	ForeignRef struct {
		Fields    []string  `json:"fields"`
		Reference Reference `json:"reference"`
	}
	// Reference is the target of a foreign key.
	Reference struct {
		Resource string   `json:"resource,omitempty"`
		Fields   []string `json:"fields"`
	}
	// Source is one input of the run. Its path is as the spec names it,
	// relative to the spec's folder, not to the descriptor, so it goes in
	// tally:path rather than the standard's path.
	Source struct {
		Title string      `json:"title"`
		Path  string      `json:"tally:path"`
		Hash  string      `json:"tally:hash"`
		Bytes int64       `json:"tally:bytes"`
		Rows  *SourceRows `json:"tally:rows,omitempty"`
	}
	// SourceRows accounts for every row of a source.
	SourceRows struct {
		Read     int `json:"read"`
		Header   int `json:"header"`
		Preamble int `json:"preamble"`
		Blank    int `json:"blank"`
		Data     int `json:"data"`
		Used     int `json:"used"`
		Rejected int `json:"rejected"`
	}
)

// Paths is a resource's path: one file, written as a JSON string, or the
// files of a partitioned table, written as an array.
type Paths []string

// MarshalJSON writes a single path as a string.
func (p Paths) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// UnmarshalJSON reads a string or an array of strings.
func (p *Paths) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*p = Paths{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("path must be a string or an array of strings")
	}
	*p = many
	return nil
}

// FieldType maps an Arrow type to a Table Schema field type.
func FieldType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return "string"
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return "integer"
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return "number"
	case arrow.BOOL:
		return "boolean"
	case arrow.DATE32, arrow.DATE64:
		return "date"
	}
	return "any"
}

// ResourceName is the resource name of a table in a format:
// "results-parquet".
func ResourceName(table, format string) string { return resourceName(table + "-" + format) }

// NewDescriptor builds the descriptor of a release, with resources and
// sources in the order given.
func NewDescriptor(p Package) Descriptor {
	d := Descriptor{
		Schema:    Profile,
		Name:      resourceName(p.Name),
		Title:     p.Title,
		Created:   p.Created,
		Resources: []Resource{},
		Run:       p.Run,
	}
	// Which columns each resource's files hold, for keys across tables.
	have := map[string]map[string]bool{}
	for _, o := range p.Resources {
		have[ResourceName(o.Table, o.Format)] = fileColumns(o)
	}
	for _, o := range p.Resources {
		name := ResourceName(o.Table, o.Format)
		r := Resource{
			Name:        name,
			Type:        "table",
			Path:        Paths{filepath.ToSlash(o.Path)},
			Format:      o.Format,
			MediaType:   MediaType(o.Format),
			Bytes:       o.Bytes,
			Description: o.Description,
			Table:       o.Table,
			Rows:        o.Rows,
		}
		if o.SHA256 != "" {
			r.Hash = "sha256:" + o.SHA256
		}
		if o.Format == "csv" {
			r.Encoding = "utf-8"
		}
		if len(o.PartitionBy) > 0 {
			r.PartitionBy = o.PartitionBy
			r.Path = Paths{}
			for _, f := range o.Files {
				r.Path = append(r.Path, f.Path)
				r.Files = append(r.Files, FileRecord{Path: f.Path, Bytes: f.Bytes, Hash: "sha256:" + f.SHA256, Rows: f.Rows})
			}
			if len(r.Path) == 0 {
				// A partitioned table with no rows has no files; its folder
				// stands for it.
				r.Path = Paths{filepath.ToSlash(o.Path)}
			}
		}
		cols := have[name]
		if o.Schema != nil {
			for _, f := range o.Schema.Fields() {
				if !cols[f.Name] {
					continue
				}
				desc, _ := f.Metadata.GetValue("description")
				fd := Field{Name: f.Name, Type: FieldType(f.Type), Description: desc}
				if !f.Nullable {
					fd.Constraints = &Constraints{Required: true}
				}
				r.Schema.Fields = append(r.Schema.Fields, fd)
			}
		}
		if allIn(o.PrimaryKey, cols) {
			r.Schema.PrimaryKey = o.PrimaryKey
		}
		for _, fk := range o.ForeignKeys {
			target := ResourceName(fk.Table, o.Format)
			if tc, ok := have[target]; ok && allIn(fk.Fields, cols) && allIn(fk.TableFields, tc) {
				r.Schema.ForeignKeys = append(r.Schema.ForeignKeys, ForeignRef{Fields: fk.Fields, Reference: Reference{Resource: target, Fields: fk.TableFields}})
			}
		}
		d.Resources = append(d.Resources, r)
	}
	for _, s := range p.Sources {
		d.Sources = append(d.Sources, Source{
			Title: path.Base(filepath.ToSlash(s.Path)), Path: filepath.ToSlash(s.Path), Hash: "sha256:" + s.SHA256, Bytes: s.Bytes,
			Rows: &SourceRows{Read: s.Rows, Header: s.HeaderRows, Preamble: s.PreambleRows, Blank: s.BlankRows, Data: s.DataRows, Used: s.UsedRows, Rejected: s.RejectedRows},
		})
	}
	return d
}

// fileColumns returns the columns an output's files hold: its schema's,
// less the partition columns, which live in folder names.
func fileColumns(o Output) map[string]bool {
	cols := map[string]bool{}
	if o.Schema == nil {
		return cols
	}
	for _, f := range o.Schema.Fields() {
		cols[f.Name] = true
	}
	for _, c := range o.PartitionBy {
		delete(cols, c)
	}
	return cols
}

func allIn(names []string, set map[string]bool) bool {
	if len(names) == 0 {
		return false
	}
	for _, n := range names {
		if !set[n] {
			return false
		}
	}
	return true
}

// Encode renders a descriptor as tally writes it: indented JSON, keys in a
// fixed order, no HTML escaping, a final newline.
func (d Descriptor) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteManifest writes the datapackage.json of a release into dir,
// atomically (a temporary file renamed into place), readable by all.
func WriteManifest(dir string, p Package) error {
	b, err := NewDescriptor(p).Encode()
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ManifestName), b)
}

// ReadManifest reads the datapackage.json in dir.
func ReadManifest(dir string) (*Descriptor, error) {
	_, d, err := readManifest(dir)
	return d, err
}

func readManifest(dir string) ([]byte, *Descriptor, error) {
	p := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, err
	}
	var d Descriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, nil, fmt.Errorf("%s: not a readable descriptor: %w", p, err)
	}
	return b, &d, nil
}

// Resource returns the resource of a table in a format, or nil.
func (d *Descriptor) Resource(table, format string) *Resource {
	name := ResourceName(table, format)
	for i := range d.Resources {
		if d.Resources[i].Name == name {
			return &d.Resources[i]
		}
	}
	return nil
}

// FileList returns the files of a resource with their recorded size,
// hash and rows: the one file, or each partition file.
func (r *Resource) FileList() []FileRecord {
	if len(r.Files) > 0 || len(r.PartitionBy) > 0 {
		return r.Files
	}
	if len(r.Path) != 1 {
		return nil
	}
	return []FileRecord{{Path: r.Path[0], Bytes: r.Bytes, Hash: r.Hash, Rows: r.Rows}}
}

func writeFileAtomic(name string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// resourceName lowers a name to the characters a Data Package allows.
func resourceName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "tally"
	}
	return b.String()
}
