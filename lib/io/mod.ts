/**
 * Reading and writing the course's data files: gzip through fflate,
 * validation through zod, errors that name the file, the field and the line.
 * The simulators never touch files; this module and `lib/probe` do.
 *
 * @module
 */
