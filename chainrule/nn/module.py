"""``Module``, ``Parameter``, ``Sequential``, ``ModuleList`` and ``ModuleDict``: the
containers layers are built from.

A Module finds its parameters and submodules by looking at its attributes, so a layer only
assigns them in ``__init__``; state that is no parameter (BatchNorm's running statistics) is
registered with ``register_buffer``. Names are dotted paths (``"0.weight"``), as in PyTorch.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import numpy as np

from chainrule.autograd.hooks import HookTable, ModuleBackwardCall, RemovableHandle, add_hook
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError


class Parameter(Tensor):
    """A leaf Tensor that a Module owns and an optimiser updates (requires_grad=True)."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True) -> None:
        super().__init__(data.data if isinstance(data, Tensor) else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` found: the model's names the state dict lacks, and the state
    dict's names the model does not have. Unpacks as a pair, as PyTorch's result does."""

    missing_keys: list[str]
    unexpected_keys: list[str]


# per class: its subclass whose calls look ``forward`` up on the instance (see below)
_INSTANCE_FORWARD_CLASSES: dict[type, type] = {}


def _call_through_instance_forward(module) -> None:
    """Make ``module(...)`` run a ``forward`` assigned to this instance, as in PyTorch.

    A class's ``__call__`` is its own ``forward`` (``Module.__init_subclass__``), so an
    instance's ``m.forward = f`` would be ignored by ``m(x)``. The instance moves to a subclass,
    made once per class, whose ``__call__`` is ``Module.__call__``: ``self.forward(...)``.
    """
    cls = type(module)
    patched = _INSTANCE_FORWARD_CLASSES.get(cls)
    if patched is None:
        patched = type(cls.__name__, (cls,), {"__call__": Module.__call__})
        patched.__qualname__, patched.__module__ = cls.__qualname__, cls.__module__
        _INSTANCE_FORWARD_CLASSES[cls] = patched
    object.__setattr__(module, "__class__", patched)


class Module:
    """Base class of every layer and model: override ``forward``; call the module itself."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_pre_hooks", HookTable())
        object.__setattr__(self, "_forward_hooks", HookTable())
        object.__setattr__(self, "_backward_hooks", HookTable())

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        parameters, modules, buffers = self._parameters, self._modules, self._buffers
        # a slot that exists is assigned in place, as in PyTorch: replacing ``seq[0]`` or a
        # layer's weight keeps its position (the Sequential's order, the state dict's order)
        if isinstance(value, Parameter):
            modules.pop(name, None)
            self._forget_buffer(name)
            parameters[name] = value
        elif name in parameters:
            # as PyTorch: replacing a parameter by a plain Tensor would silently take it
            # away from the optimiser and the state dict
            self._check_slot(name, value, "parameter", "Parameter")
            parameters[name] = None  # the slot stays registered, as in PyTorch
        elif isinstance(value, Module):
            self._forget_buffer(name)
            modules[name] = value
        elif name in modules:
            # as PyTorch: anything but a Module would silently drop the layer from the model;
            # None empties the slot, which keeps its place for a module assigned later
            self._check_slot(name, value, "submodule", "Module")
            modules[name] = None
        elif name in buffers:
            # as PyTorch: a Tensor replaces the buffer (still in the state dict), None empties it
            if not isinstance(value, Tensor):
                self._check_slot(name, value, "buffer", "Tensor")
            buffers[name] = value
        elif name == "forward" and type(self).__call__ is type(self).forward:
            _call_through_instance_forward(self)
        object.__setattr__(self, name, value)

    def _check_slot(self, name: str, value, kind: str, expected: str) -> None:
        """Refuse ``value`` for the registered ``kind`` slot ``name`` unless it is None."""
        if value is not None:
            raise TypeError(
                f"{type(self).__name__}: cannot assign {type(value).__name__!r} as {kind} "
                f"{name!r} ({expected} or None expected)"
            )

    def _forget_buffer(self, name: str) -> None:
        self._buffers.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._forget_buffer(name)
        object.__delattr__(self, name)

    # ---- registration -----------------------------------------------------------------------
    def _check_name(self, kind: str, name, registry: Mapping) -> None:
        """Refuse what PyTorch refuses as a new ``kind`` name: a non-string, an empty name, a
        dot (it would break the dotted state-dict names), or an attribute of another kind."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before registering a {kind}"
            )
        if not isinstance(name, str):
            raise TypeError(
                f"{type(self).__name__}: {kind} name should be a string, got {type(name).__name__}"
            )
        if not name or "." in name:
            raise KeyError(
                f"{type(self).__name__}: {kind} name {name!r} must be non-empty and without '.'"
            )
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"{type(self).__name__}: attribute {name!r} already exists")

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Hold ``tensor`` as state that is no parameter (no optimiser updates it), e.g.
        BatchNorm's running mean: it is listed by ``buffers()`` and, when ``persistent``, saved
        in the state dict. ``None`` registers an empty slot, as PyTorch."""
        self._check_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"{type(self).__name__}: cannot assign {type(tensor).__name__!r} object to "
                f"buffer {name!r} (Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name``; ``None`` keeps an empty slot (a layer without
        bias), which ``named_parameters`` and the state dict skip."""
        self._check_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"{type(self).__name__}: cannot assign {type(param).__name__!r} object to "
                f"parameter {name!r} (Parameter or None required)"
            )
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name`` (``None``: an empty slot); a child of that
        name is replaced in its place."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}.add_module: {type(module).__name__} is not a Module"
            )
        self._check_name("module", name, self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""``: this module), as PyTorch."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if item not in module._modules or module._modules[item] is None:
                raise AttributeError(
                    f"{type(module).__name__} has no submodule {item!r} (in {target!r})"
                )
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``, e.g. ``"0.weight"``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if module._parameters.get(name) is None:
            raise AttributeError(f"{type(module).__name__} has no parameter {name!r}")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``, e.g. ``"0.running_mean"``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"{type(module).__name__} has no buffer {name!r}")
        return module._buffers[name]

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **kwargs):
        """``forward`` between the forward pre-hooks and forward hooks, and with the full
        backward hooks watching the input and outputs, as PyTorch's call."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, inputs)
            if result is not None:  # new inputs: a tuple, or one value
                inputs = result if isinstance(result, tuple) else (result,)
        backward = ModuleBackwardCall(self, inputs) if self._backward_hooks else None
        if backward is not None:
            inputs = backward.inputs  # the input through an alias whose gradient is watched
        output = self.forward(*inputs, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, inputs, output)
            if result is not None:
                output = result
        return output if backward is None else backward.watch(output)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before every ``forward``; a value it returns (a tuple,
        or one input) replaces the inputs. ``prepend`` runs it before the hooks already there."""
        return self._add_call_hook(self._forward_pre_hooks, hook, prepend, "forward_pre")

    def register_forward_hook(self, hook, *, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every ``forward``; a value it returns
        replaces the output. ``prepend`` runs it before the hooks already there."""
        return self._add_call_hook(self._forward_hooks, hook, prepend, "forward")

    def register_full_backward_hook(self, hook, *, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when backward has the gradient with
        respect to this module's input; a tuple it returns replaces ``grad_input``
        (``autograd.hooks.ModuleBackwardCall`` has PyTorch's rules and this one's limits)."""
        return self._add_call_hook(self._backward_hooks, hook, prepend, "full_backward")

    def _add_call_hook(self, table: HookTable, hook, prepend: bool, kind: str) -> RemovableHandle:
        """Register a call hook, and make calls of this module go through ``Module.__call__``."""
        handle = add_hook(table, hook, f"{type(self).__name__}.register_{kind}_hook")
        if prepend:
            table.move_to_end(handle.id, last=False)
        if type(self).__call__ is type(self).forward:  # the class's fast call skips hooks
            _call_through_instance_forward(self)
        return handle

    def __init_subclass__(cls, **kwargs) -> None:
        """Calling a module runs its ``forward``, so each subclass's ``__call__`` is its
        ``forward`` itself: this saves the generic ``__call__``'s frame and argument packing
        on every layer. A module with call hooks (or a ``forward`` assigned to the instance)
        moves to a subclass whose ``__call__`` is ``Module.__call__``. A ``__call__`` that a
        class defines for itself is kept, in that class and in its subclasses."""
        super().__init_subclass__(**kwargs)
        provider = next(c for c in cls.__mro__ if "__call__" in c.__dict__)
        own_call = provider.__dict__["__call__"]
        if provider is Module or own_call is getattr(provider, "forward", None):
            cls.__call__ = cls.forward

    # ---- traversal --------------------------------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule with its dotted name, depth first. A module
        reachable by several paths (``Sequential(l, ReLU(), l)``) comes once, under its first
        name, unless ``remove_duplicate=False`` (PyTorch's signature)."""
        if memo is None:
            memo = set()
        # pre-order depth first with an explicit stack: PyTorch's order, without its recursion
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in memo:
                    continue
                memo.add(module)
            yield name, module
            stack.extend(
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in reversed(module._modules.items())
                if child is not None  # an emptied slot
            )

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names, each instance once (emptied slots left out)."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(
        self, members, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Tensor]]:
        """``members(module)``'s ``(name, tensor)`` pairs of this module (and, with
        ``recurse``, of every submodule) with dotted names; emptied slots left out."""
        seen = set()
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = [(prefix, self)]
        for module_name, module in modules:
            for name, tensor in members(module):
                if tensor is None or (remove_duplicate and id(tensor) in seen):
                    continue
                seen.add(id(tensor))
                yield (f"{module_name}.{name}" if module_name else name), tensor

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter once, with its dotted name, in registration order (with
        ``remove_duplicate=False``, once per path that reaches it, as ``state_dict`` lists);
        ``recurse=False``: this module's own only."""
        return self._named_members(
            lambda module: module._parameters.items(), prefix, recurse, remove_duplicate
        )

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer once (non-persistent ones too), with its dotted name, as
        ``named_parameters`` lists parameters."""
        return self._named_members(
            lambda module: module._buffers.items(), prefix, recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ---- modes and gradients ----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active) for this module, then ``child.train(mode)`` for each
        child; ``eval()`` switches it off."""
        if not isinstance(mode, bool):  # train("False") would otherwise mean training
            raise ValueError(
                f"{type(self).__name__}.train: mode must be a bool, got {type(mode).__name__} "
                f"{mode!r}"
            )
        object.__setattr__(self, "training", mode)
        # each child's own train(), as PyTorch: a subclass that overrides it (to keep a part
        # in eval mode, say) is honoured when its parent switches
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Make every parameter require gradients, or freeze them all with ``False``
        (fine-tuning: ``model[0].requires_grad_(False)``); returns the module."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> Module:
        """Call ``fn`` on every submodule, then on this module (children first, as PyTorch),
        e.g. ``model.apply(init_weights)``; returns the module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad.data.fill(0)

    # ---- dtype ------------------------------------------------------------------------------
    def to(self, dtype) -> Module:
        """Cast every floating parameter (and its gradient) and buffer to ``dtype`` in place;
        returns the module. As PyTorch, each Parameter keeps its identity (its array is
        swapped), so an optimiser built before still updates it; integer buffers stay."""
        try:
            target = None if dtype is None else np.dtype(dtype)  # np.dtype(None) is float64
        except TypeError:
            target = None
        if target is None or target.kind != "f":
            raise DTypeError(f"Module.to: expected a floating-point dtype, got {dtype!r}")
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None and param.dtype.kind == "f" and param.dtype != target:
                    param.data = param.data.astype(target)
                    if param.grad is not None:
                        param.grad.data = param.grad.data.astype(target)
            for name, buffer in module._buffers.items():
                if buffer is not None and buffer.dtype.kind == "f" and buffer.dtype != target:
                    # a new tensor, as PyTorch's module.to gives its buffers
                    cast = Tensor(buffer.data, buffer.requires_grad, dtype=target)
                    module._buffers[name] = cast
                    object.__setattr__(module, name, cast)
        return self

    def float(self) -> Module:
        """``to(float32)``."""
        return self.to(np.float32)

    def double(self) -> Module:
        """``to(float64)``."""
        return self.to(np.float64)

    # ---- state ------------------------------------------------------------------------------
    def _state_items(self) -> Iterator[tuple[str, Tensor]]:
        """The state dict's entries: per module (depth first) its parameters, then its
        persistent buffers, as PyTorch orders them; a module under each path reaching it."""
        for module_name, module in self.named_modules(remove_duplicate=False):
            prefix = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                if param is not None:
                    yield prefix + name, param
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent_buffers_set:
                    yield prefix + name, buffer

    def state_dict(self) -> OrderedDict:
        """Name -> detached Tensor sharing the memory of each parameter and persistent buffer.
        As in PyTorch, a module reached by several paths is listed under each (``0.weight``
        and ``2.weight`` for ``Sequential(l, ReLU(), l)``), unlike ``named_parameters``."""
        return OrderedDict((name, t.detach()) for name, t in self._state_items())

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays into the parameters and persistent buffers in place; with ``strict``,
        every key must match.

        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``. A value of the wrong
        shape, or of a dtype that does not convert to the parameter's, is always an error,
        raised before anything is copied.
        """
        if not isinstance(state_dict, Mapping):
            # a path or a module would be searched as a container: a str's characters came
            # out as "unexpected keys", and strict=False failed on a missing .items()
            hint = ""
            if isinstance(state_dict, (str, os.PathLike)):
                hint = " (load the file first: cr.load(path))"
            elif isinstance(state_dict, Module):
                hint = " (pass its state_dict())"
            raise TypeError(
                "load_state_dict: expected a mapping of parameter and buffer names to arrays, "
                f"got {type(state_dict).__name__}{hint}"
            )
        own = OrderedDict(self._state_items())  # state_dict's keys
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if unexpected:
                parts.append(f"unexpected keys {unexpected}")
            raise KeyError(
                f"load_state_dict: state dict does not fit {type(self).__name__}: "
                + "; ".join(parts)
            )
        # every value is checked before any is copied: a bad one leaves the model untouched
        arrays = {}
        for name, value in state_dict.items():
            if name not in own:
                continue
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
            param = own[name]
            if array.shape != param.shape:
                raise ShapeError(
                    f"load_state_dict: {name} has shape {array.shape} in the state dict "
                    f"but {param.shape} in the model"
                )
            if not np.can_cast(array.dtype, param.dtype, casting="same_kind"):
                raise DTypeError(
                    f"load_state_dict: {name} has dtype {array.dtype} in the state dict, "
                    f"which does not convert to the model's {param.dtype}"
                )
            arrays[name] = array
        # in the model's order, as PyTorch: for a shared parameter the last path's value wins
        for name, param in own.items():
            if name in arrays:
                np.copyto(param.data, arrays[name], casting="same_kind")
                param._version[0] += 1
        return IncompatibleKeys(missing, unexpected)

    # ---- display ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        """One line for a leaf with a one-line ``extra_repr``; otherwise the ``extra_repr``
        lines, then each child, one per indented line (PyTorch's layout)."""
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        if len(lines) == 1 and not self._modules:
            return f"{type(self).__name__}({extra})"
        for name, child in self._modules.items():
            lines.append(f"({name}): {repr(child)}")
        if not lines:
            return f"{type(self).__name__}()"
        body = "\n".join(lines).replace("\n", "\n  ")
        return f"{type(self).__name__}(\n  {body}\n)"


class _ModuleSequence(Module):
    """Modules in order, indexed and changed like a list; what Sequential and ModuleList share.

    ``del`` and ``insert`` leave the modules named "0", "1", ... in order, as PyTorch does, so
    the state dict's keys follow the new positions."""

    def _add(self, name: str, module: Module) -> None:
        self._check_new(name, module)
        setattr(self, name, module)

    def _check_module(self, name: str, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: item {name} is {type(module).__name__}, not a Module"
            )

    def _check_new(self, name: str, module: Module) -> None:
        """Refuse a non-Module, or a name that cannot be a new module's."""
        self._check_module(name, module)
        if not isinstance(name, str) or not name or "." in name or hasattr(self, name):
            # a dot would break the dotted state-dict names; an existing name (an attribute,
            # or a module after slicing: seq[1:] holds "2") would be silently replaced
            raise KeyError(
                f"{type(self).__name__}: {name!r} is no valid new module name (a non-empty "
                "string without '.' that is not already an attribute or module)"
            )

    def _key(self, index: int) -> str:
        """The name of the module at position ``index`` (negative counts from the end)."""
        size = len(self._modules)
        position = operator.index(index)
        if not -size <= position < size:
            raise IndexError(
                f"{type(self).__name__}: index {index} is out of range for {size} modules"
            )
        return next(itertools.islice(self._modules, position % size, None))

    def _hold(self, named: list[tuple[str, Module | None]]) -> None:
        """Hold exactly the ``(name, module)`` pairs of ``named``, in this order. Emptied
        slots (None) are kept as they are: they were checked when they were emptied."""
        for name in self._modules:
            object.__delattr__(self, name)
        self._modules.clear()
        for name, module in named:
            self._modules[name] = module
            object.__setattr__(self, name, module)

    def _renumber(self, modules: list) -> None:
        """Hold ``modules`` under the names "0", "1", ... in this order."""
        self._hold([(str(index), module) for index, module in enumerate(modules)])

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end under the name ``str(len(self))``; returns the container."""
        return self.extend([module])

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Append each of ``modules``; all are checked before any is added."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{type(self).__name__}.extend: expected an iterable of modules, got "
                f"{type(modules).__name__}"
            )
        named = [(str(len(self) + offset), module) for offset, module in enumerate(modules)]
        for name, module in named:
            self._check_new(name, module)
        for name, module in named:
            setattr(self, name, module)
        return self

    __iadd__ = extend

    def insert(self, index: int, module: Module) -> _ModuleSequence:
        """Put ``module`` before position ``index`` (``len(self)`` appends); returns the
        container. As PyTorch, an index beyond ``[-len, len]`` is an IndexError."""
        size = len(self)
        position = operator.index(index)
        if not -size <= position <= size:
            raise IndexError(
                f"{type(self).__name__}.insert: index {index} is out of range for {size} modules"
            )
        self._check_module(str(index), module)  # no name to check: all are renumbered
        modules = list(self._modules.values())
        modules.insert(position, module)
        self._renumber(modules)
        return self

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the module at ``index`` in its slot, under its name."""
        setattr(self, self._key(index), module)

    def __delitem__(self, index: int | slice) -> None:
        doomed = set(list(self._modules)[index]) if isinstance(index, slice) else {self._key(index)}
        self._renumber([module for name, module in self._modules.items() if name not in doomed])

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(_ModuleSequence):
    """Modules held in a list, each registered (parameters, state dict "0.weight", ...), for a
    model whose ``forward`` uses them as it likes: ``ModuleList([Linear(4, 4) for _ in
    range(3)])``. It has no ``forward`` of its own."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        """One module, or a slice as a new ModuleList of the same modules named "0", "1", ...
        (as PyTorch: a list's positions, unlike Sequential's kept names)."""
        if isinstance(index, slice):
            part = type(self)()
            part._renumber(list(self._modules.values())[index])
            return part
        return self._modules[self._key(index)]


class ModuleDict(Module):
    """Modules held by name, each registered (parameters, state dict ``"name.weight"``), for a
    model that picks among them in ``forward``: ``ModuleDict({"enc": Linear(4, 8)})``. As a
    dict in insertion order, and as PyTorch's: ``[]``, ``in``, ``len``, iteration over the
    names, ``keys/values/items/update/pop/clear``. It has no ``forward`` of its own."""

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove the module ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def update(self, modules) -> None:
        """Add or replace modules from a mapping or an iterable of ``(name, module)`` pairs,
        in their order."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, (str, Module)):
            pairs = [tuple(pair) if isinstance(pair, Iterable) else pair for pair in modules]
            for position, pair in enumerate(pairs):
                if not isinstance(pair, tuple) or len(pair) != 2:
                    raise TypeError(
                        f"ModuleDict.update: element #{position} is {pair!r}, not a "
                        "(name, module) pair"
                    )
        else:
            raise TypeError(
                "ModuleDict.update: expected a mapping or an iterable of (name, module) pairs, "
                f"got {type(modules).__name__}"
            )
        for key, module in pairs:
            self[key] = module


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(Linear(4, 8), ReLU(), Linear(8, 2))``,
    named "0", "1", ...; or ``Sequential(OrderedDict(hidden=Linear(4, 8), ...))`` with names."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = modules[0].items()
        else:
            named = ((str(index), module) for index, module in enumerate(modules))
        for name, module in named:
            self._add(name, module)

    def __getitem__(self, index: int | slice) -> Module:
        """One module, or a slice as a new Sequential sharing the same modules under the same
        names (``seq[1:]``'s state dict has keys ``"1.weight"``, ... as in PyTorch)."""
        if isinstance(index, slice):
            part = Sequential()
            part._hold(list(self._modules.items())[index])  # an emptied slot stays one
            return part
        return self._modules[self._key(index)]

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


def _parameter_lines(container: Module) -> str:
    """One line per held parameter, its name, dtype and shape (PyTorch's container repr)."""
    return "\n".join(
        f"({name}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]"
        for name, p in container._parameters.items()
    )


def _as_parameter(value) -> Parameter:
    """A Parameter as it is, a Tensor or array as a new Parameter of its data (PyTorch's rule)."""
    return value if isinstance(value, Parameter) else Parameter(value)


class ParameterList(Module):
    """Parameters held in a list, each registered under its position ("0", "1", ...: the names
    in ``named_parameters`` and the state dict), for a module with a variable number of
    weights. Tensors and arrays put in become Parameters. No ``forward`` of its own."""

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _key(self, index: int) -> str:
        size = len(self._parameters)
        position = operator.index(index)
        if not -size <= position < size:
            raise IndexError(f"ParameterList: index {index} is out of range for {size} parameters")
        return str(position % size)

    def __getitem__(self, index: int) -> Parameter:
        return self._parameters[self._key(index)]

    def __setitem__(self, index: int, value) -> None:
        self.register_parameter(self._key(index), _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def append(self, value) -> ParameterList:
        """Add ``value`` (a Parameter, Tensor or array) at the end; returns the list."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                f"ParameterList.extend: expected an iterable of parameters, got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return _parameter_lines(self)


class ParameterDict(Module):
    """Parameters held by name, each registered (``named_parameters`` and the state dict use
    the names), in insertion order, with a dict's ``[]``, ``in``, ``len``, iteration over the
    names and ``keys/values/items/update/pop``. Tensors and arrays put in become Parameters."""

    def __init__(self, parameters=None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        if key not in self._parameters:
            raise KeyError(key)
        del self._parameters[key]
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: str) -> bool:
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def update(self, parameters) -> None:
        """Add or replace parameters from a mapping or from (name, value) pairs."""
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return _parameter_lines(self)
