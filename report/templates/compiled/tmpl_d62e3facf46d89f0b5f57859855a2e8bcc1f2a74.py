from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_mlps.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_mlps_view = resolve('mlps_view')
    l_0_r = resolve('r')
    l_0_lang = resolve('lang')
    l_0_L = resolve('L')
    l_0_v = missing
    try:
        t_1 = environment.filters['cell']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'cell' found.")
    try:
        t_2 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_3 = environment.filters['code_cell']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'code_cell' found.")
    try:
        t_4 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_5 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    try:
        t_6 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    pass
    l_0_v = context.call((undefined(name='mlps_view') if l_0_mlps_view is missing else l_0_mlps_view), (undefined(name='r') if l_0_r is missing else l_0_r), (undefined(name='lang') if l_0_lang is missing else l_0_lang))
    context.vars['v'] = l_0_v
    context.exported_vars.add('v')
    if (undefined(name='v') if l_0_v is missing else l_0_v):
        pass
        yield '## '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_view')))
        yield ' · '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('mlps_level_', environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'level'), )))))
        yield '\n\n> '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_scope_note')))
        yield '\n\n**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_score_title')))
        yield '**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_score_note')))
        yield '\n\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_counts')))
        yield '\n\n| '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'layer')))
        yield ' |'
        for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
            _loop_vars = {}
            pass
            yield ' '
            yield str(environment.finalize(t_1(environment.getitem(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_labels'), l_1_c), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ' |'
        l_1_c = missing
        yield ' '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
        yield ' |\n|---|'
        for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
            _loop_vars = {}
            pass
            yield '---|'
        l_1_c = missing
        yield '---|\n'
        for l_1_layer in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'layers'):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_layer, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ' |'
            for l_2_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
                _loop_vars = {}
                pass
                yield ' '
                yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_layer, 'counts'), l_2_c))))
                yield ' |'
            l_2_c = missing
            yield ' '
            yield str(environment.finalize(t_1(t_6(environment, context.call(environment.getattr(environment.getattr(l_1_layer, 'counts'), 'values'), _loop_vars=_loop_vars)))))
            yield ' |\n'
        l_1_layer = missing
        yield '| '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
        yield ' |'
        for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'result_order'):
            _loop_vars = {}
            pass
            yield ' '
            yield str(environment.finalize(t_1(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), l_1_c))))
            yield ' |'
        l_1_c = missing
        yield ' '
        yield str(environment.finalize(t_1(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'total'))))
        yield ' |\n\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk')))
        yield '\n\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases'):
            pass
            yield '| '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_title')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_state')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_unit')))
            yield ' |\n|---|---|---|---|---|\n'
            for l_1_c in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(environment.finalize(t_1(environment.getattr(l_1_c, 'case'))))
                yield ' | '
                yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_c, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                yield ' | '
                yield str(environment.finalize(t_3(environment.getattr(l_1_c, 'check_id'))))
                yield ' '
                yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_c, 'check_title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                if environment.getattr(l_1_c, 'target'):
                    pass
                    yield ' ('
                    yield str(environment.finalize(t_1(environment.getattr(l_1_c, 'target'))))
                    yield ')'
                yield ' | '
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('state_', environment.getattr(l_1_c, 'state'), )))))
                if environment.getattr(l_1_c, 'mitigated_by'):
                    pass
                    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_sep')))
                    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mitigated_by')))
                    yield ' '
                    yield str(environment.finalize(t_3(t_4(context.eval_ctx, environment.getattr(l_1_c, 'mitigated_by'), ', '))))
                yield ' | '
                yield str(environment.finalize(t_3(t_4(context.eval_ctx, environment.getattr(l_1_c, 'units'), ', '))))
                yield ' |\n'
            l_1_c = missing
        else:
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
            yield '\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_above_level'):
            pass
            yield '\n'
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_cases_above_level')))
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
            yield str(environment.finalize(t_5(t_4(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_above_level'), ', '))))
            yield '\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_not_assessed'):
            pass
            yield '\n'
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk_not_assessed')))
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
            yield str(environment.finalize(t_5(t_4(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'cases_not_assessed'), ', '))))
            yield '\n'
        yield '\n**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_conclusion_hint')))
        yield '**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'conclusion_hint'):
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_hint_poor')))
        else:
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_hint_none')))
        yield '\n\n'
        yield str(environment.finalize(t_5(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'conclusion_note'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        yield '\n'
        l_1_loop = missing
        for l_1_layer, l_1_loop in LoopContext(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'layers'), undefined):
            _loop_vars = {}
            pass
            yield '\n### '
            yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_1_layer, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield '\n'
            l_2_loop = missing
            for l_2_p, l_2_loop in LoopContext(environment.getattr(l_1_layer, 'points'), undefined):
                _loop_vars = {}
                pass
                yield '\n#### '
                yield str(environment.finalize(t_5(environment.getattr(l_2_p, 'clause'))))
                yield ' '
                yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_2_p, 'name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                if (environment.getattr(l_2_p, 'extension') != 1):
                    pass
                    yield ' ('
                    yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_2_p, 'extension_name'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                    yield ')'
                yield '\n\n'
                l_3_loop = missing
                for l_3_u, l_3_loop in LoopContext(environment.getattr(l_2_p, 'units'), undefined):
                    _loop_vars = {}
                    pass
                    yield '- **'
                    yield str(environment.finalize(t_2(environment.getattr(l_3_u, 'unit'))))
                    yield '** ('
                    yield str(environment.finalize(t_5(environment.getattr(l_3_u, 'clause'))))
                    yield ') '
                    yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_3_u, 'requirement'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                    if (environment.getattr(l_3_u, 'wording') == 'level3_reused'):
                        pass
                        yield ' ('
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_wording_reused')))
                        yield ')'
                    elif (environment.getattr(l_3_u, 'wording') == 'level2'):
                        pass
                        yield ' ('
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_wording_level2')))
                        yield ')'
                    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                    yield '**'
                    yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_3_u, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                    yield '**'
                    if ((not environment.getattr(l_3_u, 'complete')) and (environment.getattr(l_3_u, 'result') != 'not_assessed')):
                        pass
                        yield ' ('
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_incomplete')))
                        yield ')'
                    if environment.getattr(l_3_u, 'high_risk'):
                        pass
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_sep')))
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
                        yield ' '
                        yield str(environment.finalize(t_5(t_4(context.eval_ctx, environment.getattr(l_3_u, 'high_risk'), ', '))))
                    yield '\n'
                    if environment.getattr(l_3_u, 'records'):
                        pass
                        yield '  - **'
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_record')))
                        yield '**'
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                        yield '\n\n'
                    l_4_loop = missing
                    for l_4_x, l_4_loop in LoopContext(environment.getattr(l_3_u, 'records'), undefined):
                        _loop_vars = {}
                        pass
                        yield '    - '
                        yield str(environment.finalize(t_2(environment.getattr(l_4_x, 'check_id'))))
                        yield ' '
                        yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_4_x, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                        if environment.getattr(l_4_x, 'target'):
                            pass
                            yield ' ('
                            yield str(environment.finalize(t_5(environment.getattr(l_4_x, 'target'))))
                            yield ')'
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_4_x, 'status'), _loop_vars=_loop_vars)))
                        if environment.getattr(l_4_x, 'reason'):
                            pass
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_stop')))
                            for (l_5_text, l_5_param) in environment.getattr(l_4_x, 'reason_parts'):
                                _loop_vars = {}
                                pass
                                if l_5_param:
                                    pass
                                    yield str(environment.finalize(t_2(l_5_text)))
                                else:
                                    pass
                                    yield str(environment.finalize(t_5(l_5_text)))
                            l_5_text = l_5_param = missing
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_stop')))
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'evidence')))
                        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                        yield str(environment.finalize(t_2(t_4(context.eval_ctx, environment.getattr(l_4_x, 'evidence'), ', '))))
                        if environment.getattr(l_4_x, 'observed'):
                            pass
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_sep')))
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                            l_5_loop = missing
                            for l_5_o, l_5_loop in LoopContext(environment.getattr(l_4_x, 'observed'), undefined):
                                _loop_vars = {}
                                pass
                                yield str(environment.finalize(t_2(l_5_o)))
                                if (not environment.getattr(l_5_loop, 'last')):
                                    pass
                                    yield ', '
                            l_5_loop = l_5_o = missing
                        yield '\n'
                    l_4_loop = l_4_x = missing
                    if environment.getattr(l_3_u, 'why_not_assessed'):
                        pass
                        yield '  - '
                        yield str(environment.finalize(t_5(environment.getitem(environment.getattr(l_3_u, 'why_not_assessed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                        if environment.getattr(l_3_u, 'would_assess'):
                            pass
                            yield ' '
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_would_assess')))
                            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps_colon')))
                            yield str(environment.finalize(t_2(t_4(context.eval_ctx, environment.getattr(l_3_u, 'would_assess'), ', '))))
                        yield '\n'
                l_3_loop = l_3_u = missing
            l_2_loop = l_2_p = missing
        l_1_loop = l_1_layer = missing
        yield '\n'

blocks = {}
debug_info = '3=52&4=55&5=58&7=62&9=64&11=69&13=71&14=83&15=89&16=93&18=107&20=119&22=121&23=124&25=134&26=138&29=164&31=166&33=169&35=173&37=176&40=181&43=191&44=194&46=198&47=201&49=205&52=215&53=219&55=250&56=253&59=258&60=262&63=305&64=308'