/* Constants of parquet.thrift used by both the writer and the reader. */
#ifndef PQ_FORMAT_H
#define PQ_FORMAT_H

/* Physical types (parquet.thrift's Type), apart from the API's types (PQ_INT64...). */
enum {
	PQ_PHYS_BOOLEAN = 0,
	PQ_PHYS_INT32 = 1,
	PQ_PHYS_INT64 = 2,
	PQ_PHYS_DOUBLE = 5,
	PQ_PHYS_BYTE_ARRAY = 6
};
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1, REP_REPEATED = 2 };
enum { CONV_UTF8 = 0, CONV_LIST = 3 };
enum {
	ENC_PLAIN = 0,
	ENC_PLAIN_DICTIONARY = 2,
	ENC_RLE = 3,
	ENC_DELTA_BINARY_PACKED = 5,
	ENC_RLE_DICTIONARY = 8
};
enum { CODEC_UNCOMPRESSED = 0, CODEC_ZSTD = 6 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3 };
/* LogicalType union members. */
enum { LOGICAL_STRING = 1, LOGICAL_LIST = 3, LOGICAL_TIMESTAMP = 8 };
enum { TIME_UNIT_NANOS = 3 };

/* Physical type of each API type. */
static inline int pq_physical_type(int type)
{
	static const int phys[] = {PQ_PHYS_BOOLEAN, PQ_PHYS_INT32,      PQ_PHYS_INT64,
				   PQ_PHYS_DOUBLE,  PQ_PHYS_BYTE_ARRAY, PQ_PHYS_BYTE_ARRAY,
				   PQ_PHYS_INT64,   PQ_PHYS_BYTE_ARRAY};
	return phys[type];
}

#endif
