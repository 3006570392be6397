package pqwriter

import "encoding/binary"

// Thrift compact protocol, the encoding of Parquet's page headers and
// footer: only the writing side, and only the types Parquet's metadata
// uses. A struct is a sequence of fields, each headed by the difference of
// its id from the previous field's and its type, and closed by a stop
// byte; integers are zigzag varints.

const (
	tBoolTrue  = 1
	tBoolFalse = 2
	tByte      = 3
	tI16       = 4
	tI32       = 5
	tI64       = 6
	tBinary    = 8
	tList      = 9
	tStruct    = 12
)

type thrift struct {
	b     []byte
	last  []int16 // id of the previous field of each open struct
	stack [8]int16
}

func (t *thrift) field(id int16, typ byte) {
	prev := &t.last[len(t.last)-1]
	if d := id - *prev; d > 0 && d <= 15 {
		t.b = append(t.b, byte(d)<<4|typ)
	} else {
		t.b = append(t.b, typ)
		t.b = binary.AppendUvarint(t.b, zigzag(int64(id)))
	}
	*prev = id
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// begin opens a struct (the top-level one, or an element of a list).
func (t *thrift) begin() {
	if t.last == nil {
		t.last = t.stack[:0]
	}
	t.last = append(t.last, 0)
}

// end closes the innermost open struct.
func (t *thrift) end() {
	t.b = append(t.b, 0)
	t.last = t.last[:len(t.last)-1]
}

// structField opens a struct-valued field; close it with end.
func (t *thrift) structField(id int16) {
	t.field(id, tStruct)
	t.begin()
}

func (t *thrift) i32(id int16, v int32) {
	t.field(id, tI32)
	t.b = binary.AppendUvarint(t.b, zigzag(int64(v)))
}

func (t *thrift) i8(id int16, v int8) {
	t.field(id, tByte)
	t.b = append(t.b, byte(v))
}

func (t *thrift) i16(id int16, v int16) {
	t.field(id, tI16)
	t.b = binary.AppendUvarint(t.b, zigzag(int64(v)))
}

func (t *thrift) i64(id int16, v int64) {
	t.field(id, tI64)
	t.b = binary.AppendUvarint(t.b, zigzag(v))
}

func (t *thrift) boolean(id int16, v bool) {
	if v {
		t.field(id, tBoolTrue)
	} else {
		t.field(id, tBoolFalse)
	}
}

func (t *thrift) binary(id int16, v []byte) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thrift) str(id int16, v string) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

// list opens a list field of n elements of type elem; the elements follow
// (elemI32, elemStr, or begin ... end for structs).
func (t *thrift) list(id int16, elem byte, n int) {
	t.field(id, tList)
	if n < 15 {
		t.b = append(t.b, byte(n)<<4|elem)
	} else {
		t.b = append(t.b, 0xf0|elem)
		t.b = binary.AppendUvarint(t.b, uint64(n))
	}
}

func (t *thrift) elemI32(v int32) { t.b = binary.AppendUvarint(t.b, zigzag(int64(v))) }

func (t *thrift) elemStr(v string) {
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}
