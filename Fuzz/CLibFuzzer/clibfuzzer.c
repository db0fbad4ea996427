/* Declarations only: see include/clibfuzzer.h. */
#include "clibfuzzer.h"
