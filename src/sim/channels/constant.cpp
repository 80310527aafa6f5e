// The constant channel is header-only (channels.hpp); this file keeps one file per model.
#include "channels.hpp"
