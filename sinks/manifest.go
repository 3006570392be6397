package sinks

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Output is one written file.
type Output struct {
	Table       string
	Format      string
	Path        string // relative to the manifest's folder
	Rows        int64
	Bytes       int64
	SHA256      string
	Description string
	Schema      *arrow.Schema
	PrimaryKey  []string
}

// SourceFile is one input of a run, with the accounting of its rows:
// Rows = HeaderRows + PreambleRows + BlankRows + DataRows, and
// DataRows = UsedRows + RejectedRows.
type SourceFile struct {
	Path         string
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

// Package is what the manifest describes.
type Package struct {
	Name       string
	Title      string
	Version    string // tally's version
	Spec       string // the spec file's name
	SpecSHA256 string
	Created    string // RFC 3339; empty leaves it out (no wall-clock time unless given)
	Sources    []SourceFile
	Resources  []Output
}

// The JSON shapes of a Frictionless Data Package descriptor.
type (
	dpPackage struct {
		Profile   string       `json:"$schema"`
		Name      string       `json:"name"`
		Title     string       `json:"title,omitempty"`
		Created   string       `json:"created,omitempty"`
		Resources []dpResource `json:"resources"`
		Sources   []dpSource   `json:"sources,omitempty"`
		Tally     dpTally      `json:"tally"`
	}
	dpResource struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Path        string   `json:"path"`
		Format      string   `json:"format"`
		MediaType   string   `json:"mediatype"`
		Encoding    string   `json:"encoding,omitempty"`
		Bytes       int64    `json:"bytes"`
		Hash        string   `json:"hash"`
		Description string   `json:"description,omitempty"`
		Schema      dpSchema `json:"schema"`
		Rows        int64    `json:"tally:rows"`
	}
	dpSchema struct {
		Fields     []dpField `json:"fields"`
		PrimaryKey []string  `json:"primaryKey,omitempty"`
	}
	dpField struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description,omitempty"`
	}
	dpSource struct {
		Title string  `json:"title"`
		Path  string  `json:"path"`
		Hash  string  `json:"tally:hash,omitempty"`
		Bytes int64   `json:"tally:bytes,omitempty"`
		Rows  *dpRows `json:"tally:rows,omitempty"`
	}
	dpRows struct {
		Read     int `json:"read"`
		Header   int `json:"header"`
		Preamble int `json:"preamble"`
		Blank    int `json:"blank"`
		Data     int `json:"data"`
		Used     int `json:"used"`
		Rejected int `json:"rejected"`
	}
	dpTally struct {
		Version    string `json:"version"`
		Spec       string `json:"spec,omitempty"`
		SpecSHA256 string `json:"spec_sha256,omitempty"`
	}
)

// fieldType maps an Arrow type to a Table Schema field type.
func fieldType(t arrow.DataType) string {
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

// WriteManifest writes the datapackage.json descriptor of a release,
// atomically, with resources in the order given.
func WriteManifest(path string, p Package) error {
	d := dpPackage{
		Profile: "https://datapackage.org/profiles/2.0/datapackage.json",
		Name:    resourceName(p.Name),
		Title:   p.Title,
		Created: p.Created,
		Tally:   dpTally{Version: p.Version, Spec: p.Spec, SpecSHA256: p.SpecSHA256},
	}
	for _, o := range p.Resources {
		r := dpResource{
			Name:        resourceName(o.Table + "-" + o.Format),
			Type:        "table",
			Path:        filepath.ToSlash(o.Path),
			Format:      o.Format,
			MediaType:   MediaType(o.Format),
			Bytes:       o.Bytes,
			Hash:        "sha256:" + o.SHA256,
			Description: o.Description,
			Rows:        o.Rows,
		}
		if o.Format == "csv" {
			r.Encoding = "utf-8"
		}
		if o.Schema != nil {
			for _, f := range o.Schema.Fields() {
				desc, _ := f.Metadata.GetValue("description")
				r.Schema.Fields = append(r.Schema.Fields, dpField{Name: f.Name, Type: fieldType(f.Type), Description: desc})
			}
			r.Schema.PrimaryKey = o.PrimaryKey
		}
		d.Resources = append(d.Resources, r)
	}
	for _, s := range p.Sources {
		d.Sources = append(d.Sources, dpSource{Title: filepath.Base(s.Path), Path: filepath.ToSlash(s.Path), Hash: "sha256:" + s.SHA256, Bytes: s.Bytes,
			Rows: &dpRows{Read: s.Rows, Header: s.HeaderRows, Preamble: s.PreambleRows, Blank: s.BlankRows, Data: s.DataRows, Used: s.UsedRows, Rejected: s.RejectedRows}})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".datapackage.json.tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
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
