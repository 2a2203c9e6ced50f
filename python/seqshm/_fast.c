/* _fast.c - the Python package's compiled fast path: reads without
 * ctypes' per-call argument conversion. Built, together with the whole C
 * library, into one extension module (seqshm._seqshm): _lib.py loads that
 * very file as the library through ctypes, so handles opened through
 * ctypes and read here are of one library. Where it is not built (no
 * compiler, no Python headers) the package reads through ctypes alone.
 *
 * Each function takes the handle's address (an int), never blocks longer
 * than the timeout it is given (the caller slices long waits so that
 * Ctrl-C gets through), releases the GIL while it reads, and returns the
 * status first: the caller raises. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "seqshm.h"

#include <stdbool.h>

static seqshm *handle_of(PyObject *addr)
{
    return (seqshm *)PyLong_AsVoidPtr(addr);
}

/* The object a read fills must hold exactly the payload: a size passed in
 * that is not the segment's is refused, never a buffer overrun. */
static bool payload_sized(seqshm *s, Py_ssize_t size)
{
    if (size >= 0 && (size_t)size == seqshm_size(s))
        return true;
    PyErr_SetString(PyExc_ValueError, "size is not the segment's payload size");
    return false;
}

/* A read into a new object of `size` bytes, made by `make` (a bytearray,
 * writable, for records; bytes for read_bytes): (status, version, object
 * or None). */
static PyObject *read_as(PyObject *const *args, Py_ssize_t nargs,
                         PyObject *(*make)(const char *, Py_ssize_t),
                         char *(*bytes_of)(PyObject *))
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "(addr, size, timeout_ns)");
        return NULL;
    }
    seqshm *s = handle_of(args[0]);
    Py_ssize_t size = PyLong_AsSsize_t(args[1]);
    long long t = PyLong_AsLongLong(args[2]);
    if (PyErr_Occurred() || !payload_sized(s, size))
        return NULL;
    PyObject *out = make(NULL, size);
    if (out == NULL)
        return NULL;
    uint64_t v = 0;
    int st;
    char *dst = bytes_of(out);
    Py_BEGIN_ALLOW_THREADS
    st = seqshm_read_versioned(s, dst, &v, t);
    Py_END_ALLOW_THREADS
    if (st != SEQSHM_OK) {
        Py_DECREF(out);
        return Py_BuildValue("(iKO)", st, 0ULL, Py_None);
    }
    return Py_BuildValue("(iKN)", st, (unsigned long long)v, out);
}

static char *bytearray_of(PyObject *o) { return PyByteArray_AS_STRING(o); }
static char *bytes_of(PyObject *o) { return PyBytes_AS_STRING(o); }

/* read(addr, size, timeout_ns) -> (status, version, bytearray or None) */
static PyObject *fast_read(PyObject *self, PyObject *const *args,
                           Py_ssize_t nargs)
{
    (void)self;
    return read_as(args, nargs, PyByteArray_FromStringAndSize, bytearray_of);
}

/* read_bytes(addr, size, timeout_ns) -> (status, version, bytes or None) */
static PyObject *fast_read_bytes(PyObject *self, PyObject *const *args,
                                 Py_ssize_t nargs)
{
    (void)self;
    return read_as(args, nargs, PyBytes_FromStringAndSize, bytes_of);
}

/* read_into(addr, buffer, timeout_ns) -> (status, version): buffer is
 * writable and holds at least the payload (checked by the caller). */
static PyObject *fast_read_into(PyObject *self, PyObject *const *args,
                                Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "read_into(addr, buffer, timeout_ns)");
        return NULL;
    }
    seqshm *s = handle_of(args[0]);
    long long t = PyLong_AsLongLong(args[2]);
    if (PyErr_Occurred())
        return NULL;
    Py_buffer b;
    if (PyObject_GetBuffer(args[1], &b, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS))
        return NULL;
    if ((size_t)b.len < seqshm_size(s)) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "read_into: buffer too small");
        return NULL;
    }
    uint64_t v = 0;
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = seqshm_read_versioned(s, b.buf, &v, t);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&b);
    return Py_BuildValue("(iK)", st, (unsigned long long)v);
}

/* next(addr, cursor, size, timeout_ns)
 *   -> (status, version, lost, bytearray or None) */
static PyObject *fast_next(PyObject *self, PyObject *const *args,
                           Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "next(addr, cursor, size, timeout_ns)");
        return NULL;
    }
    seqshm *s = handle_of(args[0]);
    uint64_t cursor = PyLong_AsUnsignedLongLong(args[1]);
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    long long t = PyLong_AsLongLong(args[3]);
    if (PyErr_Occurred() || !payload_sized(s, size))
        return NULL;
    PyObject *out = PyByteArray_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    uint64_t lost = 0;
    int st;
    char *dst = PyByteArray_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    st = seqshm_next(s, &cursor, dst, &lost, t);
    Py_END_ALLOW_THREADS
    if (st != SEQSHM_OK) {
        Py_DECREF(out);
        return Py_BuildValue("(iKKO)", st, 0ULL, 0ULL, Py_None);
    }
    return Py_BuildValue("(iKKN)", st, (unsigned long long)cursor,
                         (unsigned long long)lost, out);
}

/* next_many(addr, cursor, timeout_ns, values, versions, lost)
 *   -> (status, count, cursor): up to len(versions) versions into the three
 * writable buffers (values: count x size bytes; versions, lost: uint64),
 * waiting up to the timeout for the first only. status is the first
 * call's; count 0 unless it is SEQSHM_OK. */
static PyObject *fast_next_many(PyObject *self, PyObject *const *args,
                                Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "next_many(addr, cursor, timeout_ns, "
                                         "values, versions, lost)");
        return NULL;
    }
    seqshm *s = handle_of(args[0]);
    uint64_t cursor = PyLong_AsUnsignedLongLong(args[1]);
    long long t = PyLong_AsLongLong(args[2]);
    if (PyErr_Occurred())
        return NULL;
    Py_buffer b[3];
    int got = 0;
    for (; got < 3; got++)
        if (PyObject_GetBuffer(args[3 + got], &b[got],
                               PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS))
            break;
    size_t size = seqshm_size(s), n = 0;
    size_t cap = got == 3 ? (size_t)b[1].len / sizeof(uint64_t) : 0;
    if (got == 3 && ((size_t)b[2].len < cap * sizeof(uint64_t) ||
                     (size_t)b[0].len < cap * size)) {
        PyErr_SetString(PyExc_ValueError, "next_many: buffers too small");
        got = -got;
    }
    int st = SEQSHM_EINVAL;
    if (got == 3 && cap > 0) {
        unsigned char *values = b[0].buf;
        uint64_t *versions = b[1].buf, *lost = b[2].buf;
        Py_BEGIN_ALLOW_THREADS
        st = seqshm_next(s, &cursor, values, &lost[0], t);
        if (st == SEQSHM_OK) {
            versions[0] = cursor;
            for (n = 1; n < cap; n++) {
                if (seqshm_next(s, &cursor, values + n * size, &lost[n], 0) !=
                    SEQSHM_OK)
                    break; /* nothing more yet, or a status the next call
                              reports */
                versions[n] = cursor;
            }
        }
        Py_END_ALLOW_THREADS
    }
    for (int i = 0; i < (got < 0 ? -got : got); i++)
        PyBuffer_Release(&b[i]);
    if (got != 3)
        return NULL;
    return Py_BuildValue("(inK)", st, (Py_ssize_t)n,
                         (unsigned long long)cursor);
}

static PyMethodDef methods[] = {
    {"read", (PyCFunction)(void (*)(void))fast_read, METH_FASTCALL,
     "read(addr, size, timeout_ns) -> (status, version, bytearray)"},
    {"read_bytes", (PyCFunction)(void (*)(void))fast_read_bytes, METH_FASTCALL,
     "read_bytes(addr, size, timeout_ns) -> (status, version, bytes)"},
    {"read_into", (PyCFunction)(void (*)(void))fast_read_into, METH_FASTCALL,
     "read_into(addr, buffer, timeout_ns) -> (status, version)"},
    {"next", (PyCFunction)(void (*)(void))fast_next, METH_FASTCALL,
     "next(addr, cursor, size, timeout_ns) -> (status, version, lost, "
     "bytearray)"},
    {"next_many", (PyCFunction)(void (*)(void))fast_next_many, METH_FASTCALL,
     "next_many(addr, cursor, timeout_ns, values, versions, lost) -> "
     "(status, count, cursor)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "seqshm._seqshm",
    "seqshm's compiled fast path, and the C library itself.", -1, methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__seqshm(void) { return PyModule_Create(&module); }
