#ifndef CLINUXCALLS_H
#define CLINUXCALLS_H

#include <stddef.h>
#include <sys/types.h>

/* Linux calls that need _GNU_SOURCE, which Swift's Glibc module does not import. */

/// Copies `length` bytes from `input` at `offset` to the current position of `output`
/// inside the kernel (copy_file_range), without passing the data through user space.
/// Returns the bytes copied (0 at end of file) or -1 with errno set; EXDEV, ENOSYS,
/// EINVAL and EOPNOTSUPP mean "not possible here, copy by hand".
ssize_t clinux_copy_range(int input, off_t offset, int output, size_t length);

/// Forces every dirty file of the filesystem holding `descriptor` to disk (syncfs):
/// one call makes a whole batch of staged files durable. Returns 0 or -1 with errno.
int clinux_sync_filesystem(int descriptor);

#endif
